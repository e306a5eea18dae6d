#pragma once
// The baselines every training run fits beside the model, on the same split and the same
// examples: logistic regression and gradient-boosted trees on the tabular view of each
// window (tabular.h), one of each per binary head. Trees stop early on val; both are
// scored on val and test.
// Plain C++. Thread-safety: fit_baselines uses `threads` threads of its own.

#include <cstddef>
#include <cstdint>

#include "trainer/baselines/baseline_report.h"
#include "shared/models/boosted_trees.h"
#include "shared/models/logistic_model.h"
#include "trainer/data/data_set.h"

namespace snipe::trainer {

struct BaselineOptions {
  std::size_t window = 64;  // T, the model's window
  int threads = 1;          // for the trees
  std::uint64_t seed = 42;  // the trees' row and column sampling
};

// One head's fitted baselines, and their probabilities on val and test (in the split's
// order), which the served head may blend in (serving.h).
struct HeadModels {
  LogisticModel logistic;
  BoostedTrees trees;
  std::vector<float> trees_val, logistic_val;    // [val examples]
  std::vector<float> trees_test, logistic_test;  // [test examples]
};

struct Baselines {
  HeadModels profitable;
  HeadModels rug;
  BaselineReport report;  // their metrics on val and test
};

// Fits on split.train, early-stops the trees on split.val, scores val and test.
// REQUIRES: every split is non-empty. Throws DataError for a damaged example,
// std::runtime_error when XGBoost or liblinear refuses.
Baselines fit_baselines(const DataSet& data, const Split& split, const BaselineOptions& options);

}  // namespace snipe::trainer
