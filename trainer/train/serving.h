#pragma once
// How a binary head is served (shared/features/served_probability.h), chosen on val: the
// sequence model's share w against the head's gradient-boosted trees (logit-space blend;
// w = 1 is the model alone), then a temperature fitted on val. The bot never gets a head
// that the trees alone rank better on val: w = 0 serves the trees. Plain C++; pure.

#include <array>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/core/json_fields.h"
#include "trainer/train/calibration.h"
#include "trainer/train/metrics.h"

namespace snipe::trainer {

// The shares of the model tried, best first on ties: the model alone is preferred unless
// a blend ranks val strictly better.
inline constexpr std::array<double, 11> kModelWeights = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0};

// One head's probabilities on one split, each [n]: the sequence model's, the trees' (empty:
// none, the model serves alone), and the labels.
struct HeadInputs {
  std::span<const float> model;
  std::span<const float> trees;
  std::span<const float> labels;
};

struct HeadServing {
  double model_weight = 1.0;                    // w
  double temperature = 1.0;                     // T, fitted on val after the blend
  double sequence_val_auc = kUndefinedMetric;   // the sequence model alone
  double sequence_test_auc = kUndefinedMetric;
  SplitCalibration val, test;                   // ece_raw: the blend before T; ece and table: served
};

// w: the first of kModelWeights with the highest val ROC-AUC of the blend; T: the
// temperature of the blend on val (calibration.h).
HeadServing choose_serving(const HeadInputs& val, const HeadInputs& test);

// The served probabilities of `in` [n] at `model_weight` and `temperature`. REQUIRES:
// in.trees has [n] entries unless model_weight is 1.
std::vector<float> served(const HeadInputs& in, double model_weight, double temperature);

// {"model_weight", "temperature", "sequence_roc_auc": {"val", "test"}, "val": {...},
//  "test": {...}} (calibration.h's split form); NaN as null.
nlohmann::json to_json(const HeadServing& serving);
// The inverse. Throws DataError naming the file and field when one is missing or mistyped.
HeadServing head_serving_from_json(const JsonFields& fields);

}  // namespace snipe::trainer
