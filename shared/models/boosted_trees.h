#pragma once
// Gradient-boosted trees for one binary head, through XGBoost's C API (Debian's
// libxgboost-dev): binary:logistic on the tabular view, early-stopped on val ROC-AUC.
// The model serialises to XGBoost's JSON, which the export carries and the shim loads.
// Thread-safety: predict() may be called from any number of threads at once (calls are
// serialised inside); fitting and moving need one thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "shared/models/matrix_view.h"

namespace snipe {

struct TreeOptions {
  int max_rounds = 400;            // boosting rounds at most
  int early_stopping_rounds = 40;  // stop after this many rounds without a better val AUC
  int max_depth = 4;
  double eta = 0.05;               // learning rate
  double subsample = 0.8;          // of the rows, per tree
  double colsample_bytree = 0.8;   // of the features, per tree
  double min_child_weight = 5.0;   // hessian sum per leaf
  double lambda = 1.0;             // L2 on leaf weights
  int threads = 1;                 // XGBoost's nthread
  std::uint64_t seed = 42;
};

class BoostedTrees {
 public:
  // Fits on `train` (labels 0/1) and keeps the rounds with the best ROC-AUC on `val`.
  // Throws std::runtime_error with XGBoost's message when it refuses.
  static BoostedTrees fit(MatrixView train, std::span<const float> train_labels, MatrixView val,
                          std::span<const float> val_labels, const TreeOptions& options);
  // The model of to_json(), for `cols` features, predicting on `threads` threads.
  static BoostedTrees from_json(const std::string& json, std::size_t cols, int threads = 1);

  ~BoostedTrees();
  BoostedTrees(BoostedTrees&&) noexcept;
  BoostedTrees& operator=(BoostedTrees&&) noexcept;

  // P(label = 1) per row [rows]. REQUIRES: x.cols == cols().
  std::vector<float> predict(MatrixView x) const;
  std::string to_json() const;
  int rounds() const { return rounds_; }
  std::size_t cols() const { return cols_; }

 private:
  BoostedTrees(void* booster, std::size_t cols, int rounds)
      : booster_(booster), cols_(cols), rounds_(rounds), predicting_(std::make_unique<std::mutex>()) {}
  void* booster_ = nullptr;  // BoosterHandle, owned
  std::size_t cols_ = 0;
  int rounds_ = 0;
  std::unique_ptr<std::mutex> predicting_;  // held by predict(): one XGBoost call at a time
};

}  // namespace snipe
