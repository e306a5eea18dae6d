// snipe pipeline: the main job on the configured source. Today it runs the stages that
// exist: read each token's candles, validate them with reason codes, compute indicators,
// model features and triple-barrier labels, and write per-token feature CSVs plus a
// quality report. Later stages (HDF5 shards, training, export) extend this command.

#include <algorithm>
#include <filesystem>
#include <vector>

#include <fmt/format.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/features/feature_csv.h"
#include "shared/features/labels.h"
#include "shared/features/model_features.h"
#include "shared/market/candle_csv.h"
#include "shared/market/validation.h"

namespace snipe::cli {
namespace {

namespace fs = std::filesystem;

struct PipelineOptions {
  CommonOptions common;
  std::optional<std::string> output_dir;  // overrides [output] dir
};

// What happened to one token.
struct TokenOutcome {
  std::string token;
  std::size_t candles = 0;
  std::string error;  // non-empty: the file could not be read
  ValidationReport validation;
  std::size_t labelled = 0, profitable = 0, rugs = 0;
  double max_profit_sum = 0.0;
};

std::vector<fs::path> list_token_files(const fs::path& dir) {
  if (!fs::is_directory(dir)) {
    throw ConfigError(fmt::format("source.csv_dir {} is not a directory; point it at a folder "
                                  "with one <token>.csv per token",
                                  dir));
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path& path = entry.path();
    // context.csv holds static per-token facts (see collector/sources/csv_source.h).
    if (entry.is_regular_file() && path.extension() == ".csv" && path.stem() != "context") {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw ConfigError(fmt::format("source.csv_dir {} holds no .csv file", dir));
  return files;
}

void count_labels(const std::vector<std::optional<Label>>& labels, TokenOutcome& outcome) {
  for (const auto& label : labels) {
    if (!label) continue;
    ++outcome.labelled;
    outcome.profitable += label->profitable;
    outcome.rugs += label->rug;
    outcome.max_profit_sum += label->max_profit;
  }
}

TokenOutcome process_token(const fs::path& file, const Config& config, const fs::path& out_dir) {
  TokenOutcome outcome{.token = file.stem().string()};
  CandleSeries candles;
  try {
    candles = read_candles_csv(file);
  } catch (const DataError& e) {
    outcome.error = e.what();
    spdlog::warn("{}: skipped: {}", outcome.token, outcome.error);
    return outcome;
  }
  outcome.candles = candles.size();
  outcome.validation = validate_series(candles, config.validation);
  if (!outcome.validation.accepted) {
    spdlog::warn("{}: {}", outcome.token, outcome.validation.summary());
    return outcome;
  }
  const SeriesFeatures features = compute_features(candles);
  const auto labels = label_series(candles, config.labels);
  count_labels(labels, outcome);
  const ColumnBlock blocks[] = {{kIndicatorNames, features.indicators},
                                {kCandleFeatureNames, features.candle},
                                {kIndicatorFeatureNames, features.indicator}};
  write_feature_csv(out_dir / "features" / (outcome.token + ".csv"), candles, blocks, labels);
  return outcome;
}

nlohmann::json quality_json(const TokenOutcome& t) {
  nlohmann::json token = {{"token", t.token}, {"candles", t.candles}};
  if (!t.error.empty()) {
    token["verdict"] = "unreadable";
    token["error"] = t.error;
    return token;
  }
  token["verdict"] = t.validation.accepted ? "accepted" : "rejected";
  nlohmann::json reasons = nlohmann::json::object();
  for (std::size_t r = 0; r < kReasonCount; ++r) {
    if (t.validation.counts[r] == 0) continue;
    nlohmann::json reason = {{"count", t.validation.counts[r]}};
    if (t.validation.first_row[r] != ValidationReport::kNoRow) {
      reason["first_row"] = t.validation.first_row[r];
    }
    reasons[std::string(reason_name(static_cast<Reason>(r)))] = reason;
  }
  token["reasons"] = reasons;
  if (t.validation.accepted) {
    // Rates of zero labelled rows are unknown (null), not 0%.
    const auto rate = [&](double sum) -> nlohmann::json {
      return t.labelled == 0 ? nlohmann::json(nullptr) : nlohmann::json(sum / static_cast<double>(t.labelled));
    };
    token["labels"] = {{"labelled", t.labelled},
                       {"profitable_rate", rate(static_cast<double>(t.profitable))},
                       {"rug_rate", rate(static_cast<double>(t.rugs))},
                       {"mean_max_profit", rate(t.max_profit_sum)}};
  }
  return token;
}

void print_table(const std::vector<TokenOutcome>& outcomes) {
  fmt::print("{:<24} {:>8} {:>9} {:>11} {:>8}  {}\n", "token", "candles", "labelled",
             "profitable", "rug", "verdict");
  for (const TokenOutcome& t : outcomes) {
    const double n = static_cast<double>(std::max<std::size_t>(t.labelled, 1));
    const std::string verdict = !t.error.empty() ? "unreadable" : t.validation.summary();
    fmt::print("{:<24} {:>8} {:>9} {:>10.1f}% {:>7.1f}%  {}\n", t.token, t.candles, t.labelled,
               100.0 * static_cast<double>(t.profitable) / n,
               100.0 * static_cast<double>(t.rugs) / n, verdict);
  }
}

int run_pipeline(const PipelineOptions& options) {
  const Config config = start_run(options.common, [&](Config& c) {
    if (options.output_dir) c.output.dir = *options.output_dir;
  });
  const fs::path out_dir = config.output.dir;
  fs::create_directories(out_dir / "features");
  write_file_atomically(out_dir / "config.toml", describe_config(config));

  std::vector<TokenOutcome> outcomes;
  for (const fs::path& file : list_token_files(config.source.csv_dir)) {
    outcomes.push_back(process_token(file, config, out_dir));
  }

  nlohmann::json report = {{"schema_version", 1}, {"tokens", nlohmann::json::array()}};
  std::size_t accepted = 0;
  for (const TokenOutcome& t : outcomes) {
    report["tokens"].push_back(quality_json(t));
    accepted += t.error.empty() && t.validation.accepted;
  }
  report["accepted"] = accepted;
  report["rejected"] = outcomes.size() - accepted;
  write_file_atomically(out_dir / "quality.json", report.dump(2) + "\n");

  print_table(outcomes);
  spdlog::info("{} of {} tokens accepted; features in {}, quality report in {}", accepted,
               outcomes.size(), (out_dir / "features").string(),
               (out_dir / "quality.json").string());
  return accepted > 0 ? 0 : 1;
}

}  // namespace

Command add_pipeline_command(CLI::App& app) {
  auto options = std::make_shared<PipelineOptions>();
  CLI::App* sub = app.add_subcommand(
      "pipeline", "Run the main job on the configured source (validate -> features -> labels)");
  add_common_options(*sub, options->common, /*config_required=*/true);
  sub->add_option("--out", options->output_dir, "output directory (overrides [output] dir)");
  return {sub, [options] { return run_pipeline(*options); }};
}

}  // namespace snipe::cli
