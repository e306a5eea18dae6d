#pragma once
// How a model is trained ([train] in the config). Plain data, free of LibTorch.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shared/comm/comm_options.h"
#include "trainer/train/selection.h"

namespace snipe::trainer {

// total = profitable_weight * BCE(profitable) + max_profit_weight * Huber(max_profit)
//       + rug_weight * BCE(rug); both BCEs class-weighted ('balanced', from train), the
// rug's raised to rug_class_weight_power.
struct LossOptions {
  double profitable_weight = 1.0;
  double max_profit_weight = 0.5;
  double rug_weight = 0.5;
  // Rugs are ~1.5% of windows, ~24 near-identical ones per rugged token: 'balanced' weighs
  // each ~33x, and the model memorises the few training rugs. 1: balanced, 0.5: the
  // square roots (~6x), 0: unweighted. Of 1, 0.5, 0.25 and 0, 0.25 (~2.4x) ranked the
  // rugs of unseen markets best, on 5 of 6 presets and on average (benchmarks/RESULTS.md).
  double rug_class_weight_power = 0.25;
  double huber_delta = 1.0;  // max_profit is a fraction (1.0 = +100%): errors beyond it count linearly
};

struct TrainOptions {
  std::size_t window = 100;        // T: candles per example window
  std::size_t batch_size = 256;    // B: examples per optimizer step over all ranks; each of W ranks
                                   // takes B / W (W must divide B), so W does not change the training
  std::int64_t epochs = 30;        // upper bound; early stopping may end sooner
  std::uint64_t seed = 42;         // initial weights, dropout, batch order, token split
  int threads = 0;                 // intra-op threads per rank; 0: the rank's cores (its CPU affinity, or
                                   // this host's cores shared out among its ranks when unbound)
  double lr = 1e-3;                // peak learning rate, reached after the warmup
  double min_lr = 1e-5;            // the cosine decays to this
  std::int64_t warmup_steps = 100; // linear warmup, in optimizer steps
  double weight_decay = 1e-2;      // AdamW's decoupled decay
  double grad_clip = 1.0;          // max global L2 norm of the gradient
  LossOptions loss;
  SelectionOptions select;         // the val score that picks the best epoch (default: mean ROC-AUC of both
                                   // binary heads)
  std::int64_t patience = 5;       // epochs without a better selection score before stopping
  std::int64_t checkpoint_every_steps = 0;  // also checkpoint mid-epoch every N steps; 0: epoch ends only
  std::size_t keep_checkpoints = 3;         // the newest K checkpoints are kept
  std::size_t prefetch = 4;                 // batches the loader prepares ahead
};

// How the ranks of a data-parallel run share the work ([distributed] in the config).
struct DistributedOptions {
  CommOptions comm;        // backend and stall timeout
  double bucket_mb = 0;    // gradients reduced in buckets of about this many MB, each started during
                           // backward as soon as its gradients are ready; 0: one fused all-reduce after backward
  bool pad_shards = true;  // an epoch whose examples the ranks cannot share evenly repeats its first
                           // examples to even it up (true) or drops its last ones (false)
};

// The [train] rules, the loss weights included; messages read
// "origin: train.<field> = value must be <rule>". Throws ConfigError.
void validate_options(const TrainOptions& options, std::string_view origin);
// The [distributed] rules. Throws ConfigError.
void validate_options(const DistributedOptions& options, std::string_view origin);

}  // namespace snipe::trainer
