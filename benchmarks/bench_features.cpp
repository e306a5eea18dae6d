// Feature library throughput on one core: candles per second for the full indicator
// set, the model features and the labels over 1M 5-minute candles, and each stage's
// cost relative to one SMA-seeded EMA pass measured in the same run (the cheapest
// possible recursive indicator: a floor, not a competitor).
//
//   build/benchmarks/bench_features            (medians of 5 repetitions)

#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "shared/features/indicators.h"
#include "shared/features/labels.h"
#include "shared/features/model_features.h"
#include "shared/market/validation.h"

namespace snipe {
namespace {

constexpr std::size_t kCandles = 1'000'000;

const CandleSeries& million_candles() {
  static const CandleSeries candles = [] {
    std::mt19937 rng(1);
    std::normal_distribution<double> step(0.0, 0.02);
    std::uniform_real_distribution<double> wick(0.0, 0.01);
    std::lognormal_distribution<double> volume(8.0, 1.0);
    CandleSeries out(kCandles);
    double close = 1e-6;
    for (std::size_t t = 0; t < kCandles; ++t) {
      Candle& c = out[t];
      c.timestamp = 1'700'000'000 + static_cast<std::int64_t>(t) * 300;
      c.open = close;
      c.close = close * std::exp(step(rng));
      c.high = std::max(c.open, c.close) * (1 + wick(rng));
      c.low = std::min(c.open, c.close) * (1 - wick(rng));
      c.volume = volume(rng);
      close = c.close;
    }
    return out;
  }();
  return candles;
}

// Every benchmark checks its own output so a broken build cannot report a fast time.
void require(bool ok, benchmark::State& state, const char* what) {
  if (!ok) state.SkipWithError(what);
}

void BM_Ema9Baseline(benchmark::State& state) {
  const CandleSeries& candles = million_candles();
  for (auto _ : state) {
    rolling::Ema<9> ema;
    double last = 0;
    for (const Candle& c : candles) last = ema.push(c.close);
    benchmark::DoNotOptimize(last);
    require(std::isfinite(last), state, "ema not finite");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCandles));
}

void BM_Validation(benchmark::State& state) {
  const CandleSeries& candles = million_candles();
  for (auto _ : state) {
    const ValidationReport report = validate_series(candles, {});
    require(report.accepted, state, "validation rejected a clean series");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCandles));
}

void BM_Indicators(benchmark::State& state) {
  const CandleSeries& candles = million_candles();
  for (auto _ : state) {
    const Table table = compute_indicators(candles);
    require(std::isfinite(table.at(kCandles - 1, kIndicatorCount - 1)), state, "NaN indicator");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCandles));
}

void BM_IndicatorsAndModelFeatures(benchmark::State& state) {
  const CandleSeries& candles = million_candles();
  for (auto _ : state) {
    const SeriesFeatures features = compute_features(candles);
    require(std::isfinite(features.indicator.at(kCandles - 1, 0)), state, "NaN feature");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCandles));
}

void BM_Labels(benchmark::State& state) {
  const CandleSeries& candles = million_candles();
  for (auto _ : state) {
    const auto labels = label_series(candles, {});
    require(labels.front().has_value() && !labels.back().has_value(), state, "label bounds");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCandles));
}

void BM_FullSet(benchmark::State& state) {  // validate + indicators + features + labels
  const CandleSeries& candles = million_candles();
  for (auto _ : state) {
    const ValidationReport report = validate_series(candles, {});
    const SeriesFeatures features = compute_features(candles);
    const auto labels = label_series(candles, {});
    require(report.accepted && labels.front().has_value(), state, "full set");
    benchmark::DoNotOptimize(features.candle.data.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCandles));
}

#define SNIPE_FEATURE_BENCH(fn) \
  BENCHMARK(fn)->Unit(benchmark::kMillisecond)->Iterations(2)->Repetitions(5)->ReportAggregatesOnly(true)
SNIPE_FEATURE_BENCH(BM_Ema9Baseline);
SNIPE_FEATURE_BENCH(BM_Validation);
SNIPE_FEATURE_BENCH(BM_Indicators);
SNIPE_FEATURE_BENCH(BM_IndicatorsAndModelFeatures);
SNIPE_FEATURE_BENCH(BM_Labels);
SNIPE_FEATURE_BENCH(BM_FullSet);

// Console output plus a closing table of median candles/s and cost vs the EMA baseline.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.aggregate_name == "median") {
        median_ms_.emplace_back(run.run_name.function_name, run.GetAdjustedRealTime());
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    if (median_ms_.empty() || median_ms_.front().first != "BM_Ema9Baseline") return;  // filtered
    const double baseline = median_ms_.front().second;
    fmt::print("\n{:<32} {:>14} {:>22}\n", "stage (1M candles, 1 core)", "Mcandles/s",
               "cost / EMA-9 pass");
    for (const auto& [name, ms] : median_ms_) {
      fmt::print("{:<32} {:>14.2f} {:>21.1f}x\n", name, kCandles / (ms * 1e3), ms / baseline);
    }
  }

 private:
  std::vector<std::pair<std::string, double>> median_ms_;  // registration order
};

}  // namespace
}  // namespace snipe

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  snipe::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
