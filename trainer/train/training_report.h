#pragma once
// RUN_DIR/report.json: the model of the best epoch on the val and test splits, with the
// run's size. Plain C++ (no LibTorch): the command line prints from it.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "trainer/baselines/baseline_report.h"
#include "trainer/train/serving.h"
#include "trainer/train/metrics.h"

namespace snipe::trainer {

// Examples per split (all ranks together).
struct SplitSizes {
  std::int64_t train = 0;
  std::int64_t val = 0;
  std::int64_t test = 0;
};

struct TrainingReport {
  std::int64_t best_epoch = 0;        // 1-based epoch whose weights were exported
  std::int64_t epochs_completed = 0;  // counting those before a resume
  std::int64_t steps = 0;             // optimizer steps
  std::int64_t ranks = 1;             // ranks that trained
  SplitSizes examples;
  MetricsRecord val;                  // the served heads on val (split "val"): the best epoch's
                                      // model, blended with trees and calibrated as exported
  MetricsRecord test;                 // the same on test (split "test")
  std::string selection;              // the criterion that picked the best epoch (selection.h)
  double selection_score = kUndefinedMetric;  // its val score at the best epoch
  BaselineReport baselines;           // on the same split
  HeadServing profitable_serving;     // how each binary head is served, chosen on val
  HeadServing rug_serving;

  // The model against the best baseline of each head (from val, test and baselines).
  HeadComparison profitable_comparison() const { return compare(val.profitable, test.profitable, baselines.profitable); }
  HeadComparison rug_comparison() const { return compare(val.rug, test.rug, baselines.rug); }
};

// {"best_epoch", "epochs_completed", "steps", "ranks",
//  "examples": {"train", "val", "test"}, "val": {...}, "test": {...} (metrics.h records),
//  "selection": {"criterion", "score"}, "baselines": {...} (baseline_report.h),
//  "comparison": {"profitable": {...}, "rug": {...}} (derived, written only),
//  "serving": {"profitable": {...}, "rug": {...}} (serving.h)}
nlohmann::json to_json(const TrainingReport& report);
nlohmann::json to_json(const SplitSizes& sizes);
// {"profitable": {...}, "rug": {...}}: each head's HeadComparison (baseline_report.h), as
// report.json, metrics.jsonl's final record and the export's metadata write it.
nlohmann::json comparison_json(const TrainingReport& report);

// Throws DataError naming `source` and the field when one is missing or mistyped.
TrainingReport training_report_from_json(const nlohmann::json& json, const std::string& source);

}  // namespace snipe::trainer
