#pragma once
// Scores an export on a data set it never saw: the model (as the shim serves it) and the
// run's baselines (export/baselines/) on every usable example of every token,
// per binary head. What `snipe evaluate` prints and what the quality benchmark
// (benchmarks/bench_quality) compares across market presets.

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "trainer/train/metrics.h"

namespace snipe::trainer {

// One head: the served model, the sequence model alone and each baseline on the same
// examples.
struct HeadScores {
  BinaryMetrics model;     // as the shim serves the head (metadata's serving: blend, temperature)
  BinaryMetrics sequence;  // the attention-LSTM alone
  BinaryMetrics logistic;
  BinaryMetrics xgboost;
};

struct ExportScores {
  std::int64_t tokens = 0;    // series of the data set
  std::int64_t examples = 0;  // usable examples scored (the window fits in defined rows)
  HeadScores profitable;
  HeadScores rug;
};

// Loads the export (model, scalers, metadata, baselines) and the data set and scores
// every usable example. `threads`: LibTorch and XGBoost threads. Throws ModelError for an
// export that cannot be loaded (no baselines: exported before they existed), DataError
// for a data set of other features or without usable examples.
ExportScores score_export(const std::filesystem::path& export_dir, const std::filesystem::path& data_dir,
                          int threads);

// {"tokens", "examples", "profitable": {"model", "sequence", "logistic", "xgboost"},
//  "rug": {...}} (BinaryMetrics as metrics.h writes them)
nlohmann::json to_json(const ExportScores& scores);

}  // namespace snipe::trainer
