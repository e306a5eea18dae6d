#include "trainer/train/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string_view>
#include <vector>

#include "shared/core/errors.h"
#include "shared/core/json_fields.h"

namespace snipe::trainer {
namespace {

// Weighted sums of the two classes.
struct ClassTotals {
  double positive = 0.0;  // sum of w over y == 1
  double negative = 0.0;  // sum of w over y == 0
};

// Areas and the best F1 from one sweep over the distinct scores, highest first.
struct CurveSweep {
  double roc_area = 0.0;       // trapezoidal area under (FP, TP), not yet normalised
  double average_precision = 0.0;
  ThresholdMetrics best_f1;    // NaN fields when no example has weight > 0
};

[[noreturn]] void throw_bad_value(std::string_view function, std::string_view array, std::size_t i,
                                  float value, std::string_view expectation) {
  std::ostringstream message;
  message << function << ": " << array << "[" << i << "] = " << value << "; " << expectation;
  throw DataError(message.str());
}

void check_sizes(std::string_view function, std::string_view first, std::size_t first_size,
                 std::string_view second, std::size_t second_size, std::size_t weights_size) {
  if (first_size != second_size || (weights_size != 0 && weights_size != first_size)) {
    std::ostringstream message;
    message << function << ": " << first << " has " << first_size << " entries, " << second
            << " has " << second_size << ", weights has " << weights_size
            << "; pass one entry per example (weights may be empty for all 1)";
    throw DataError(message.str());
  }
}

double weight_at(std::span<const float> weights, std::size_t i) {
  return weights.empty() ? 1.0 : static_cast<double>(weights[i]);
}

void check_weights(std::string_view function, std::span<const float> weights) {
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0.0f) {
      throw_bad_value(function, "weights", i, weights[i], "weights must be finite and >= 0");
    }
  }
}

void check_binary_inputs(std::span<const float> scores, std::span<const float> labels,
                         std::span<const float> weights) {
  constexpr std::string_view kFunction = "binary_metrics";
  check_sizes(kFunction, "scores", scores.size(), "labels", labels.size(), weights.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (!(scores[i] >= 0.0f && scores[i] <= 1.0f)) {
      throw_bad_value(kFunction, "scores", i, scores[i],
                      "expected a probability in [0, 1]: apply the sigmoid to the logits, and "
                      "check the model for divergence if it is NaN");
    }
    if (labels[i] != 0.0f && labels[i] != 1.0f) {
      throw_bad_value(kFunction, "labels", i, labels[i], "expected a binary label, 0 or 1");
    }
  }
  check_weights(kFunction, weights);
}

ClassTotals class_totals(std::span<const float> labels, std::span<const float> weights) {
  ClassTotals totals;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    (labels[i] == 1.0f ? totals.positive : totals.negative) += weight_at(weights, i);
  }
  return totals;
}

// `tp`, `fp`: weighted true and false positives at `threshold`.
ThresholdMetrics from_confusion(double threshold, double tp, double fp, const ClassTotals& totals) {
  const double fn = totals.positive - tp;
  const double tn = totals.negative - fp;
  ThresholdMetrics m;
  m.threshold = threshold;
  m.accuracy = (tp + tn) / (totals.positive + totals.negative);
  m.precision = tp + fp > 0.0 ? tp / (tp + fp) : 0.0;
  m.recall = totals.positive > 0.0 ? tp / totals.positive : 0.0;
  m.f1 = 2.0 * tp + fp + fn > 0.0 ? 2.0 * tp / (2.0 * tp + fp + fn) : 0.0;
  return m;
}

// REQUIRES: totals sum to > 0.
ThresholdMetrics at_threshold(double threshold, std::span<const float> scores,
                              std::span<const float> labels, std::span<const float> weights,
                              const ClassTotals& totals) {
  double tp = 0.0;
  double fp = 0.0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] < threshold) continue;
    (labels[i] == 1.0f ? tp : fp) += weight_at(weights, i);
  }
  return from_confusion(threshold, tp, fp, totals);
}

// Indices of the examples with weight > 0 (sklearn drops the others), by score, highest
// first.
std::vector<std::size_t> descending_order(std::span<const float> scores,
                                          std::span<const float> weights) {
  std::vector<std::size_t> order;
  order.reserve(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (weight_at(weights, i) > 0.0) order.push_back(i);
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return order;
}

// Lowers the threshold one distinct score at a time: each step adds a point (FP, TP) to
// the ROC curve and (R, P) to the precision-recall curve.
CurveSweep sweep_thresholds(std::span<const float> scores, std::span<const float> labels,
                            std::span<const float> weights, const ClassTotals& totals) {
  const std::vector<std::size_t> order = descending_order(scores, weights);
  CurveSweep sweep;
  double tp = 0.0;
  double fp = 0.0;
  for (std::size_t begin = 0; begin < order.size();) {
    const float threshold = scores[order[begin]];
    const double previous_tp = tp;
    const double previous_fp = fp;
    std::size_t end = begin;
    for (; end < order.size() && scores[order[end]] == threshold; ++end) {
      (labels[order[end]] == 1.0f ? tp : fp) += weight_at(weights, order[end]);
    }
    sweep.roc_area += (fp - previous_fp) * (tp + previous_tp) / 2.0;
    if (totals.positive > 0.0) {
      sweep.average_precision += (tp - previous_tp) / totals.positive * tp / (tp + fp);
    }
    const ThresholdMetrics here = from_confusion(threshold, tp, fp, totals);
    // Replaces the initial NaN, then only a strictly better F1: ties keep the higher threshold.
    if (!(here.f1 <= sweep.best_f1.f1)) sweep.best_f1 = here;
    begin = end;
  }
  return sweep;
}

}  // namespace

nlohmann::json metric_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

BinaryMetrics binary_metrics(std::span<const float> scores, std::span<const float> labels,
                             std::span<const float> weights) {
  check_binary_inputs(scores, labels, weights);
  BinaryMetrics metrics;
  metrics.positives = std::count(labels.begin(), labels.end(), 1.0f);
  metrics.negatives = static_cast<std::int64_t>(labels.size()) - metrics.positives;
  metrics.at_0_5.threshold = 0.5;
  const ClassTotals totals = class_totals(labels, weights);
  const double total = totals.positive + totals.negative;
  if (!(total > 0.0)) return metrics;

  double squared_error = 0.0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const double error = static_cast<double>(scores[i]) - labels[i];
    squared_error += weight_at(weights, i) * error * error;
  }
  metrics.brier = squared_error / total;
  metrics.at_0_5 = at_threshold(0.5, scores, labels, weights, totals);

  const CurveSweep sweep = sweep_thresholds(scores, labels, weights, totals);
  metrics.best_f1 = sweep.best_f1;
  if (totals.positive > 0.0 && totals.negative > 0.0) {
    metrics.roc_auc = sweep.roc_area / (totals.positive * totals.negative);
    metrics.pr_auc = sweep.average_precision;
  }
  return metrics;
}

RegressionMetrics regression_metrics(std::span<const float> predictions,
                                     std::span<const float> targets,
                                     std::span<const float> weights) {
  constexpr std::string_view kFunction = "regression_metrics";
  check_sizes(kFunction, "predictions", predictions.size(), "targets", targets.size(),
              weights.size());
  check_weights(kFunction, weights);
  RegressionMetrics metrics;
  metrics.count = static_cast<std::int64_t>(predictions.size());
  double total = 0.0;
  double absolute = 0.0;
  double squared = 0.0;
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    if (!std::isfinite(predictions[i])) {
      throw_bad_value(kFunction, "predictions", i, predictions[i],
                      "expected a finite value: check the model for divergence");
    }
    if (!std::isfinite(targets[i])) {
      throw_bad_value(kFunction, "targets", i, targets[i], "targets must be finite");
    }
    const double w = weight_at(weights, i);
    const double error = static_cast<double>(predictions[i]) - targets[i];
    total += w;
    absolute += w * std::abs(error);
    squared += w * error * error;
  }
  if (total > 0.0) {
    metrics.mae = absolute / total;
    metrics.rmse = std::sqrt(squared / total);
  }
  return metrics;
}

nlohmann::json to_json(const BinaryMetrics& metrics) {
  return {
      {"positives", metrics.positives},
      {"negatives", metrics.negatives},
      {"roc_auc", metric_or_null(metrics.roc_auc)},
      {"pr_auc", metric_or_null(metrics.pr_auc)},
      {"brier", metric_or_null(metrics.brier)},
      {"accuracy_at_0_5", metric_or_null(metrics.at_0_5.accuracy)},
      {"precision_at_0_5", metric_or_null(metrics.at_0_5.precision)},
      {"recall_at_0_5", metric_or_null(metrics.at_0_5.recall)},
      {"f1_at_0_5", metric_or_null(metrics.at_0_5.f1)},
      {"f1_best", metric_or_null(metrics.best_f1.f1)},
      {"f1_best_threshold", metric_or_null(metrics.best_f1.threshold)},
      {"accuracy_at_f1_best", metric_or_null(metrics.best_f1.accuracy)},
      {"precision_at_f1_best", metric_or_null(metrics.best_f1.precision)},
      {"recall_at_f1_best", metric_or_null(metrics.best_f1.recall)},
  };
}

nlohmann::json to_json(const RegressionMetrics& metrics) {
  return {
      {"count", metrics.count},
      {"mae", metric_or_null(metrics.mae)},
      {"rmse", metric_or_null(metrics.rmse)},
  };
}

double metric_from_json(const JsonFields& f, std::string_view key) {
  return f.number_or_null(key).value_or(kUndefinedMetric);
}

BinaryMetrics binary_metrics_from_json(const JsonFields& f) {
  return {.positives = f.integer("positives"),
          .negatives = f.integer("negatives"),
          .roc_auc = metric_from_json(f, "roc_auc"),
          .pr_auc = metric_from_json(f, "pr_auc"),
          .brier = metric_from_json(f, "brier"),
          .at_0_5 = {.threshold = 0.5,
                     .accuracy = metric_from_json(f, "accuracy_at_0_5"),
                     .precision = metric_from_json(f, "precision_at_0_5"),
                     .recall = metric_from_json(f, "recall_at_0_5"),
                     .f1 = metric_from_json(f, "f1_at_0_5")},
          .best_f1 = {.threshold = metric_from_json(f, "f1_best_threshold"),
                      .accuracy = metric_from_json(f, "accuracy_at_f1_best"),
                      .precision = metric_from_json(f, "precision_at_f1_best"),
                      .recall = metric_from_json(f, "recall_at_f1_best"),
                      .f1 = metric_from_json(f, "f1_best")}};
}

namespace {

RegressionMetrics regression_from_json(const JsonFields& f) {
  return {.count = f.integer("count"), .mae = metric_from_json(f, "mae"), .rmse = metric_from_json(f, "rmse")};
}

}  // namespace

MetricsRecord metrics_record_from_json(const JsonFields& f) {
  return {.split = f.string("split"),
          .epoch = f.integer("epoch"),
          .step = f.integer("step"),
          .profitable = binary_metrics_from_json(f.object("profitable")),
          .rug = binary_metrics_from_json(f.object("rug")),
          .max_profit = regression_from_json(f.object("max_profit"))};
}

nlohmann::json to_json(const MetricsRecord& record) {
  return {
      {"split", record.split},
      {"epoch", record.epoch},
      {"step", record.step},
      {"profitable", to_json(record.profitable)},
      {"rug", to_json(record.rug)},
      {"max_profit", to_json(record.max_profit)},
  };
}

}  // namespace snipe::trainer
