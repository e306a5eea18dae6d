#pragma once
// Scores an export on a data set it never saw: the model (as the shim serves it) and the
// run's baselines (export/baselines/) on every usable example of every token,
// per binary head. What `snipe evaluate` prints and what the quality benchmark
// (benchmarks/bench_quality) compares across market presets.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

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

// One head's probabilities per scored example [examples], as HeadScores rates them.
struct HeadProbabilities {
  std::vector<float> model, sequence, logistic, xgboost;
  std::vector<float> labels;  // 0/1
};

// Which example each row is: the token and the window's last row within its series.
struct ScoredExample {
  std::string token;
  std::uint32_t end_row = 0;
};

struct ExportScores {
  std::int64_t tokens = 0;    // series of the data set
  std::int64_t examples = 0;  // usable examples scored (the window fits in defined rows)
  HeadScores profitable;
  HeadScores rug;
  // Per example, in data set order: what the scores above were computed from.
  std::vector<ScoredExample> rows;
  HeadProbabilities profitable_p, rug_p;
};

// Loads the export (model, scalers, metadata, baselines) and the data set and scores
// every usable example, or with `every` = k > 1 those whose window ends on a row that is
// a multiple of k (windows one bar apart are near-duplicates: scoring every 3rd of 3x the
// tokens measures far more than all of a third of them, at the same cost).
// `threads`: LibTorch and XGBoost threads. Throws ModelError for an export that cannot be
// loaded (no baselines: exported before they existed), DataError for a data set of other
// features or without usable examples. REQUIRES: every >= 1.
ExportScores score_export(const std::filesystem::path& export_dir, const std::filesystem::path& data_dir,
                          int threads, int every = 1);

// {"tokens", "examples", "profitable": {"model", "sequence", "logistic", "xgboost"},
//  "rug": {...}} (BinaryMetrics as metrics.h writes them)
nlohmann::json to_json(const ExportScores& scores);

// One CSV line per scored example: token, end_row, the labels, then each head's
// probabilities (served, sequence, logistic, xgboost) with a header naming them; for
// analysis outside snipe (blends, per-token error, calibration plots).
std::string predictions_csv(const ExportScores& scores);

}  // namespace snipe::trainer
