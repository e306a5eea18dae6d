// snipe features: indicators of any OHLCV CSV, one output row per input candle.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "shared/features/feature_csv.h"
#include "shared/features/indicators.h"
#include "shared/market/candle_csv.h"
#include "shared/market/validation.h"

namespace snipe::cli {
namespace {

struct FeaturesOptions {
  CommonOptions common;
  std::string input;                          // candle CSV
  std::string output;                         // indicator CSV
  bool validate = false;                      // print the validation report too
  std::optional<std::int64_t> interval_s;     // overrides [validation] interval_s
};

void print_validation(const std::string& input, const ValidationReport& report) {
  fmt::print("validation of {}: {}\n", input, report.summary());
  for (std::size_t r = 0; r < kReasonCount; ++r) {
    fmt::print("  {:<26} {}\n", reason_name(static_cast<Reason>(r)), report.counts[r]);
  }
}

int run_features(const FeaturesOptions& options) {
  const Config config = start_run(options.common, CommandKind::kUtility, [&](Config& c) {
    if (options.interval_s) c.validation.interval_s = *options.interval_s;
  });
  const CandleSeries candles = read_candles_csv(options.input);
  if (options.validate) print_validation(options.input, validate_series(candles, config.validation));

  const Table indicators = compute_indicators(candles);
  const ColumnBlock block{kIndicatorNames, indicators};
  write_feature_csv(options.output, candles, std::span(&block, 1));
  spdlog::info("wrote {} rows x {} indicators to {}", candles.size(), kIndicatorCount,
               options.output);
  return 0;
}

}  // namespace

Command add_features_command(CLI::App& app) {
  auto options = std::make_shared<FeaturesOptions>();
  CLI::App* sub = app.add_subcommand(
      "features", "Compute the standard indicators of an OHLCV CSV (daily, 5-minute, ...)");
  add_common_options(*sub, options->common);
  sub->add_option("--csv", options->input, "input CSV: timestamp,open,high,low,close,volume")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out", options->output, "output CSV: timestamp + one column per indicator")
      ->required();
  auto* validate = sub->add_flag("--validate", options->validate, "also print the validation report");
  sub->add_option("--interval-s", options->interval_s,
                  "bar spacing for the gap check (default 300; 86400 for daily bars)")
      ->check(CLI::PositiveNumber)
      ->needs(validate);
  return {sub, [options] { return run_features(*options); }};
}

}  // namespace snipe::cli
