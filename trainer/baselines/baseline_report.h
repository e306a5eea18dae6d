#pragma once
// What the baselines scored, per binary head, and how the model compares with the best
// of them: the part of report.json, metrics.jsonl and the export's metadata that says
// whether the model earns its place. Plain C++; pure functions.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/core/json_fields.h"
#include "trainer/train/metrics.h"

namespace snipe::trainer {

// One baseline on one head.
struct BaselineResult {
  std::string name;  // "logistic" | "xgboost"
  BinaryMetrics val;
  BinaryMetrics test;
};

// Every baseline of one head. best(): the highest val ROC-AUC (the first on ties; an
// undefined AUC ranks last). REQUIRES for best(): at least one result.
struct HeadBaselines {
  std::vector<BaselineResult> results;
  const BaselineResult& best() const;
};

struct BaselineReport {
  HeadBaselines profitable;
  HeadBaselines rug;
};

// The served head (the model, or its blend with the trees: serving.h) against the best
// baseline of one head, on val and test ROC-AUC.
struct HeadComparison {
  std::string best_baseline;  // its name
  double model_val = kUndefinedMetric, baseline_val = kUndefinedMetric;
  double model_test = kUndefinedMetric, baseline_test = kUndefinedMetric;
  double margin_val() const { return model_val - baseline_val; }    // > 0: the model is better
  double margin_test() const { return model_test - baseline_test; }
};
HeadComparison compare(const BinaryMetrics& model_val, const BinaryMetrics& model_test, const HeadBaselines& baselines);

// "rug: served 0.71, best baseline (xgboost) 0.74, -0.03" on `split` ("val" or "test").
std::string comparison_line(const std::string& head, const HeadComparison& comparison, const std::string& split);

// {"profitable": {"logistic": {"val": {...}, "test": {...}}, "xgboost": {...}}, "rug": {...}
//  } (no timings: a resumed run writes the same report)
nlohmann::json to_json(const BaselineReport& report);
// Throws DataError naming the file and field when one is missing or mistyped.
BaselineReport baseline_report_from_json(const JsonFields& fields);

// {"best_baseline": name, "val": {"served", "baseline", "margin"}, "test": {...}}; NaN as null.
nlohmann::json to_json(const HeadComparison& comparison);

}  // namespace snipe::trainer
