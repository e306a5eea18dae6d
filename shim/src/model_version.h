#pragma once
// One loaded version of the model: its TorchScript module, scalers and window, checked
// and warmed up before anyone predicts with it. Immutable once built: any number of
// threads may run() it at once (TorchScript's executor is thread-safe for inference).
// Versions are shared: the shim's serving pointer holds one, and each prediction in
// flight holds the one it started on, so a swap never pulls a model from under a caller.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shared/features/scaling.h"
#include "shared/models/boosted_trees.h"
#include "shared/models/logistic_model.h"
#include "shared/store/export_metadata.h"
#include "shim/src/version_dir.h"

namespace snipe::shim {

// The model's three outputs for a batch, [B] each.
struct BatchOutputs {
  std::span<double> profitable, max_profit, rug;
};

class ModelVersion {
 public:
  // Loads `ref.dir` (metadata, scalers, model.pt), then the self-check: the model must
  // give finite outputs (probabilities in [0, 1]) on a fixed synthetic token, alone and
  // in a batch of two identical tokens (equal answers, to 1e-5), which also warms up the
  // executor. Throws ModelError naming the file and the reason.
  static std::shared_ptr<const ModelVersion> load(const VersionRef& ref, int intra_op_threads);
  ~ModelVersion();

  const VersionRef& ref() const { return ref_; }
  const std::string& name() const { return ref_.name; }
  std::size_t window() const { return window_; }
  const Scalers& scalers() const { return scalers_; }

  // Whether run() needs the tabular view: a head is served partly by its baselines.
  bool needs_tabular() const { return profitable_.uses_baselines() || rug_.uses_baselines(); }

  // Runs forward in eval mode without autograd on B tokens:
  //   candles [B, T, Fc], indicators [B, T, Fi], context [B, Fx] (scaled, row-major),
  //   tabular [B, kTabularFeatureCount] (unscaled; may be empty unless needs_tabular()).
  // The binary heads come out as the export serves them: blended with their baselines
  // where it says so, then scaled by their temperatures (served_probability.h); an export
  // without `serving` gives the model's probabilities as they are. The calling thread
  // uses `intra_op_threads` LibTorch threads. Throws ModelError.
  void run(std::size_t batch, std::span<const float> candles, std::span<const float> indicators,
           std::span<const float> context, std::span<const float> tabular, const BatchOutputs& out) const;

 private:
  struct Module;  // the TorchScript module, behind a pointer to keep LibTorch out of this header
  // A binary head as served: its serving rule and the baselines it gives a share.
  struct ServedHead {
    ExportHeadServing serving;
    std::unique_ptr<BoostedTrees> trees;    // null unless serving.weights.trees > 0
    std::optional<LogisticModel> logistic;  // empty unless serving.weights.logistic > 0
    bool uses_baselines() const { return trees != nullptr || logistic.has_value(); }
  };
  ModelVersion(VersionRef ref, std::size_t window, Scalers scalers, ServedHead profitable, ServedHead rug,
               std::unique_ptr<Module> module, int intra_op_threads);
  static ServedHead served_head(const VersionRef& ref, const ExportHeadServing& serving);
  void serve(const ServedHead& head, std::span<double> probabilities, std::span<const float> tabular) const;
  void self_check() const;

  VersionRef ref_;
  std::size_t window_;
  Scalers scalers_;
  ServedHead profitable_;
  ServedHead rug_;
  std::unique_ptr<Module> module_;
  int intra_op_threads_;
};

}  // namespace snipe::shim
