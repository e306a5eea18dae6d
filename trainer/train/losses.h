#pragma once
// The training objective of the three heads:
//   total = wp * BCE_cw(profitable) + wm * Huber(max_profit) + wr * BCE_cw(rug)
// BCE_cw is binary cross-entropy on logits with sklearn 'balanced' class weights: an
// example with y = 1 counts w_pos, with y = 0 counts w_neg. Each term is a SUM over the
// examples of this batch divided by `normalizer`; the Trainer passes the batch size (the
// mean), and data-parallel training averages the ranks' gradients over equally large
// batches, which gives the mean over the global batch.

#include <torch/types.h>

#include "trainer/data/scalers.h"
#include "trainer/train/train_options.h"

namespace snipe::trainer {

// The model's `logits` output: profitable and rug are logits; all [B].
struct HeadOutputs {
  torch::Tensor profitable, max_profit, rug;
};

// Targets, [B] float: profitable and rug are 0 or 1.
struct HeadTargets {
  torch::Tensor profitable, max_profit, rug;
};

// Scalar tensors; `total` carries the graph for backward().
struct LossTerms {
  torch::Tensor total, profitable, max_profit, rug;
};

// `weights` raised to `power`: 1 leaves them, 0.5 takes their square roots, 0 gives 1, 1.
ClassWeights tempered(const ClassWeights& weights, double power);

// The rug BCE uses tempered(class_weights.rug, options.rug_class_weight_power).
// REQUIRES: normalizer >= 1.
LossTerms training_loss(const HeadOutputs& outputs, const HeadTargets& targets,
                        const LabelWeights& class_weights, const LossOptions& options,
                        double normalizer);

}  // namespace snipe::trainer
