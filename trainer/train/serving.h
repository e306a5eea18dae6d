#pragma once
// How a binary head is served (shared/features/served_probability.h), chosen on val: the
// weights of a logit-space blend of the sequence model with the head's baselines
// (gradient-boosted trees, logistic regression), then a temperature fitted on val.
//
// The weights come from the grid of shares in steps of 0.1 that sum to 1 (66 blends with
// both baselines). Val is small (~15% of the tokens: ~14 on the demo, 2 to 4 of them with
// a rug), so val ROC-AUCs closer than their sampling error are noise, while blends of the
// three generalise better to markets none of them saw than any one part
// (benchmarks/RESULTS.md). The one-standard-error rule (Breiman et al., CART): among the
// blends whose val ROC-AUC is within max(kServingTolerance, sd) of the best, where sd is
// the best blend's val ROC-AUC's standard deviation over val drawn again by whole tokens
// (kServingResamples bootstrap draws; a token's windows are near-duplicates, so tokens,
// not windows, are the sample), the most even one is served (the closest to equal
// shares; ties: the larger model share). The bot never gets a head that a baseline alone
// ranks better on val by more than that tolerance: {0, 1, 0} and {0, 0, 1} are on the grid.
// Plain C++; pure.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/core/json_fields.h"
#include "shared/features/served_probability.h"
#include "trainer/train/calibration.h"
#include "trainer/train/metrics.h"

namespace snipe::trainer {

// Val ROC-AUC within this of the best blend's counts as as good, however many tokens.
inline constexpr double kServingTolerance = 0.005;
// Bootstrap draws of val for the sd of the best blend's val ROC-AUC; a fixed stream, so
// the same val gives the same choice.
inline constexpr int kServingResamples = 200;

// One head's probabilities on one split, each [n]: the sequence model's, the trees' and
// the logistic regression's (empty: that baseline has no share), the labels, and each
// row's token (any id; empty: every row a token of its own).
struct HeadInputs {
  std::span<const float> model;
  std::span<const float> trees;
  std::span<const float> logistic;
  std::span<const float> labels;
  std::span<const std::uint32_t> tokens;
};

struct HeadServing {
  BlendWeights weights;                         // each part's share of the logit
  double temperature = 1.0;                     // T, fitted on val after the blend
  double blend_val_auc = kUndefinedMetric;      // val ROC-AUC of the chosen blend
  double tolerance = kServingTolerance;         // max(kServingTolerance, the best's bootstrap sd)
  double sequence_val_auc = kUndefinedMetric;   // the sequence model alone
  double sequence_test_auc = kUndefinedMetric;
  SplitCalibration val, test;                   // ece_raw: the blend before T; ece and table: served
};

// The weights to try: every share in steps of 0.1 summing to 1, over the parts `in` has
// (the model always; the trees and the logistic regression when given).
std::vector<BlendWeights> blend_grid(const HeadInputs& in);

// The standard deviation of the ROC-AUC of `scores` [n] against `labels` [n] over
// `resamples` draws of as many tokens as `tokens` [n] names, with replacement (each row
// weighted by its token's draws); draws with one class are skipped. NaN when fewer than 2
// draws have both classes. Deterministic.
double token_bootstrap_sd(std::span<const float> scores, std::span<const float> labels,
                          std::span<const std::uint32_t> tokens, int resamples);

// The weights as described above, then T: the temperature of the blend on val
// (calibration.h). An undefined val ROC-AUC (one class in val) serves the model alone.
HeadServing choose_serving(const HeadInputs& val, const HeadInputs& test);

// The served probabilities of `in` [n] at `weights` and `temperature`. REQUIRES: a part
// with a weight > 0 has [n] entries in `in`.
std::vector<float> served(const HeadInputs& in, const BlendWeights& weights, double temperature);

// "the model alone", "its trees alone", "0.3 model + 0.4 trees + 0.3 logistic (logits)"
std::string describe(const BlendWeights& weights);

// {"weights": {"model", "trees", "logistic"}, "temperature", "val_roc_auc", "tolerance",
//  "sequence_roc_auc": {"val", "test"}, "val": {...}, "test": {...}} (calibration.h's
//  split form); NaN as null.
nlohmann::json to_json(const HeadServing& serving);
// The inverse. Throws DataError naming the file and field when one is missing or mistyped.
HeadServing head_serving_from_json(const JsonFields& fields);

}  // namespace snipe::trainer
