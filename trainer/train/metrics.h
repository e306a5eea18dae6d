#pragma once
// Evaluation metrics for the three model heads, with sklearn semantics, and their JSON
// form (one record per line of the metrics file).
//   binary heads (profitable, rug)  scores p[i] in [0, 1], labels y[i] in {0, 1}
//   regression head (max_profit)    predictions and targets, any finite values
// Every metric takes optional per-example weights w[i] >= 0 (empty: all 1). A prediction
// is positive when p >= threshold (sklearn's precision_recall_curve convention).
// Undefined values are NaN, written as null in JSON:
//   roc_auc, pr_auc      when the (weighted) input holds only one class
//   everything but counts when the input is empty or its weights sum to 0
// Zero-division in precision, recall and F1 gives 0 (sklearn's zero_division=0).
// Cost: O(n log n), one sort of the scores. Pure functions; thread-safe.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/core/json_fields.h"

namespace snipe::trainer {

inline constexpr double kUndefinedMetric = std::numeric_limits<double>::quiet_NaN();

// Confusion-matrix metrics of a binary head at one decision threshold.
struct ThresholdMetrics {
  double threshold = kUndefinedMetric;  // predicts positive when p >= threshold
  double accuracy = kUndefinedMetric;   // (TP + TN) / all, weighted
  double precision = kUndefinedMetric;  // TP / (TP + FP); 0 when nothing is predicted positive
  double recall = kUndefinedMetric;     // TP / (TP + FN); 0 when there are no positives
  double f1 = kUndefinedMetric;         // 2TP / (2TP + FP + FN); 0 when that is 0 / 0
};

// Metrics of one binary head (profitable or rug) over an evaluation split.
struct BinaryMetrics {
  std::int64_t positives = 0;         // examples with y == 1 (unweighted count)
  std::int64_t negatives = 0;         // examples with y == 0 (unweighted count)
  double roc_auc = kUndefinedMetric;  // trapezoidal ROC area, ties count 1/2; NaN for one class
  double pr_auc = kUndefinedMetric;   // average precision, sum (R_n - R_n-1) P_n; NaN for one class
  double brier = kUndefinedMetric;    // weighted mean of (p - y)^2
  ThresholdMetrics at_0_5;            // at threshold 0.5
  ThresholdMetrics best_f1;           // at the distinct score with the highest F1 (the highest
                                      // such score on ties)
};

// Metrics of the regression head (max_profit).
struct RegressionMetrics {
  std::int64_t count = 0;          // examples (unweighted)
  double mae = kUndefinedMetric;   // weighted mean |prediction - target|
  double rmse = kUndefinedMetric;  // sqrt of the weighted mean (prediction - target)^2
};

// One line of the metrics file: all heads on one split at one point of training.
struct MetricsRecord {
  std::string split;             // "val" or "test"
  std::int64_t epoch = 0;        // epochs completed
  std::int64_t step = 0;         // optimizer steps completed
  BinaryMetrics profitable;      // the take-profit head
  BinaryMetrics rug;             // the rug head
  RegressionMetrics max_profit;  // the max-profit head
};

// REQUIRES: scores, labels (and weights unless empty) have one entry per example [n].
// Throws DataError naming the index when sizes differ, a score is not in [0, 1] (NaN
// included), a label is not 0 or 1, or a weight is negative or not finite.
BinaryMetrics binary_metrics(std::span<const float> scores, std::span<const float> labels,
                             std::span<const float> weights = {});

// REQUIRES: predictions, targets (and weights unless empty) have [n] entries. Throws
// DataError naming the index when sizes differ or a value or weight is not usable.
RegressionMetrics regression_metrics(std::span<const float> predictions,
                                     std::span<const float> targets,
                                     std::span<const float> weights = {});

// Stable keys; NaN becomes null. Binary head:
//   {"positives", "negatives", "roc_auc", "pr_auc", "brier",
//    "accuracy_at_0_5", "precision_at_0_5", "recall_at_0_5", "f1_at_0_5",
//    "f1_best", "f1_best_threshold", "accuracy_at_f1_best", "precision_at_f1_best",
//    "recall_at_f1_best"}
nlohmann::json to_json(const BinaryMetrics& metrics);
// {"count", "mae", "rmse"}
nlohmann::json to_json(const RegressionMetrics& metrics);
// {"split", "epoch", "step", "profitable": {...}, "rug": {...}, "max_profit": {...}};
// `.dump()` of it is one JSON-lines record.
nlohmann::json to_json(const MetricsRecord& record);

// A metric's JSON: the number, or null when it is undefined (NaN) or infinite.
nlohmann::json metric_or_null(double value);
// Its inverse: the number at `key`, NaN where the file holds null. Throws DataError
// naming the file and field when it is missing or not a number.
double metric_from_json(const JsonFields& fields, std::string_view key);

// The inverse of to_json(BinaryMetrics) (null reads back as NaN; the threshold at 0.5 is 0.5).
BinaryMetrics binary_metrics_from_json(const JsonFields& metrics);

// The inverse of to_json (null reads back as NaN). Throws DataError naming the file and
// the field when one is missing or mistyped.
MetricsRecord metrics_record_from_json(const JsonFields& record);

}  // namespace snipe::trainer
