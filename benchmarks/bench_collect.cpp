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
#include "shared/comm/job_context.h"
#include "shared/core/atomic_file.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kTokens = 64;

simulator::SimulatorOptions market() {
  return {.seed = 42, .tokens = kTokens, .min_candles = 288, .max_candles = 864};
}

void BM_SimulateOnly(benchmark::State& state, const JobContext* context) {
  std::size_t candles = 0;
  for (auto _ : state) {
    candles = 0;
    for (std::size_t i = static_cast<std::size_t>(context->rank()); i < kTokens; i += static_cast<std::size_t>(context->size())) {
      candles += simulator::simulate_token(market(), i).candles.size();
    }
    benchmark::DoNotOptimize(candles);
  }
  state.counters["candles"] = static_cast<double>(candles);
}

void BM_CollectSynthetic(benchmark::State& state, const JobContext* context) {
  // One directory for the whole job: rank 0 names it.
  std::string name = (fs::temp_directory_path() / fmt::format("snipe-bench-collect-{}", ::getpid())).string();
  broadcast_string(context->comm(), name);
  const fs::path out = name;
  CollectTotals totals;
  for (auto _ : state) {
    state.PauseTiming();
    if (context->rank() == 0) fs::remove_all(out);
    context->comm().barrier();
    state.ResumeTiming();
    SyntheticSource source(market());
    snipe::PosixEnv env;
    totals = run_collect(source, context->comm(),
                         {.out_dir = out, .validation = {}, .labels = {}, .config_fingerprint = "bench"}, env);
  }
  const auto manifest = nlohmann::json::parse(read_file(out / "manifest.json"));
  const auto& mine = manifest["shards"][static_cast<std::size_t>(context->rank())];
  const double examples = mine["examples"].get<double>();
  if (totals.examples <= 0 || examples <= 0) state.SkipWithError("no examples collected");
  state.counters["examples_per_s"] = benchmark::Counter(examples, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_example"] = mine["bytes"].get<double>() / examples;
  state.counters["rows_per_example"] = mine["rows"].get<double>() / examples;
  context->comm().barrier();
  if (context->rank() == 0) fs::remove_all(out);
}

void register_benchmarks(const JobContext& context) {
  benchmark::RegisterBenchmark("BM_SimulateOnly", BM_SimulateOnly, &context)
      ->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);
  benchmark::RegisterBenchmark("BM_CollectSynthetic", BM_CollectSynthetic, &context)
      ->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true);
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(const JobContext& context) : context_(context) {}
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
               context_.rank(), context_.size(), examples_per_s_, bytes_per_example_,
               median_ms_["BM_CollectSynthetic"] / median_ms_["BM_SimulateOnly"]);
  }

 private:
  const JobContext& context_;
  std::map<std::string, double> median_ms_;
  double examples_per_s_ = 0, bytes_per_example_ = 0;
};

}  // namespace
}  // namespace snipe::collector

int main(int argc, char** argv) {
  snipe::MpiSession session(&argc, &argv);
  const snipe::JobContext context = snipe::JobContext::over_mpi();
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  snipe::collector::register_benchmarks(context);
  snipe::collector::RatioReporter reporter(context);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
