// Collector throughput on one rank: simulated tokens -> validation, features, labels,
// checkpoints and the HDF5 shard, in examples per second, plus the shard's bytes per
// example at stride 1 (goal <= 512). The simulation alone is measured in the same run as
// the baseline, so the ratio shows what the collection work costs on top of the source.
//
//   build/benchmarks/bench_collect          (single rank; medians of 5 repetitions)
//   mpirun -np 2 build/benchmarks/bench_collect   (per-rank figures with 2 ranks)

#include <unistd.h>

#include <filesystem>
#include <map>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "collector/collect_job.h"
#include "collector/simulator/market_simulator.h"
#include "collector/sources/synthetic_source.h"
#include "shared/core/atomic_file.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kTokens = 64;

simulator::SimulatorOptions market() {
  return {.seed = 42, .tokens = kTokens, .min_candles = 288, .max_candles = 864};
}

void BM_SimulateOnly(benchmark::State& state, const MpiContext* mpi) {
  std::size_t candles = 0;
  for (auto _ : state) {
    candles = 0;
    for (std::size_t i = static_cast<std::size_t>(mpi->rank()); i < kTokens; i += static_cast<std::size_t>(mpi->size())) {
      candles += simulator::simulate_token(market(), i).candles.size();
    }
    benchmark::DoNotOptimize(candles);
  }
  state.counters["candles"] = static_cast<double>(candles);
}

void BM_CollectSynthetic(benchmark::State& state, const MpiContext* mpi) {
  // One directory for the whole job: rank 0 names it.
  const fs::path out = mpi->broadcast(
      (fs::temp_directory_path() / fmt::format("snipe-bench-collect-{}", ::getpid())).string());
  CollectTotals totals;
  for (auto _ : state) {
    state.PauseTiming();
    if (mpi->rank() == 0) fs::remove_all(out);
    mpi->barrier();
    state.ResumeTiming();
    SyntheticSource source(market());
    snipe::PosixEnv env;
    totals = run_collect(source, *mpi,
                         {.out_dir = out, .validation = {}, .labels = {}, .config_fingerprint = "bench"}, env);
  }
  const auto manifest = nlohmann::json::parse(read_file(out / "manifest.json"));
  const auto& mine = manifest["shards"][static_cast<std::size_t>(mpi->rank())];
  const double examples = mine["examples"].get<double>();
  if (totals.examples <= 0 || examples <= 0) state.SkipWithError("no examples collected");
  state.counters["examples_per_s"] = benchmark::Counter(examples, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_example"] = mine["bytes"].get<double>() / examples;
  state.counters["rows_per_example"] = mine["rows"].get<double>() / examples;
  mpi->barrier();
  if (mpi->rank() == 0) fs::remove_all(out);
}

void register_benchmarks(const MpiContext& mpi) {
  benchmark::RegisterBenchmark("BM_SimulateOnly", BM_SimulateOnly, &mpi)
      ->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);
  benchmark::RegisterBenchmark("BM_CollectSynthetic", BM_CollectSynthetic, &mpi)
      ->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true);
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(const MpiContext& mpi) : mpi_(mpi) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.aggregate_name != "median") continue;
      median_ms_[run.run_name.function_name] = run.GetAdjustedRealTime();
      if (run.run_name.function_name == "BM_CollectSynthetic") {
        examples_per_s_ = run.counters.at("examples_per_s").value;
        bytes_per_example_ = run.counters.at("bytes_per_example").value;
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    if (median_ms_.size() < 2) return;
    fmt::print("\nrank {} of {}: {:.0f} examples/s; {:.0f} bytes/example on disk (goal <= 512); "
               "collect / simulate-only time = {:.1f}x\n",
               mpi_.rank(), mpi_.size(), examples_per_s_, bytes_per_example_,
               median_ms_["BM_CollectSynthetic"] / median_ms_["BM_SimulateOnly"]);
  }

 private:
  const MpiContext& mpi_;
  std::map<std::string, double> median_ms_;
  double examples_per_s_ = 0, bytes_per_example_ = 0;
};

}  // namespace
}  // namespace snipe::collector

int main(int argc, char** argv) {
  snipe::MpiSession session(&argc, &argv);
  const snipe::MpiContext mpi;
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  snipe::collector::register_benchmarks(mpi);
  snipe::collector::RatioReporter reporter(mpi);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
