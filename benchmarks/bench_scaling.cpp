// Weak scaling of data-parallel training, 1 rank -> N ranks, side by side in one run:
// each rank keeps its batch of --batch examples, so N ranks train N times the examples
// per step; efficiency = (examples/s on N ranks) / (N x examples/s on 1 rank). Both sides
// run the real path: the window loader over a simulated data set (the distributed sampler
// on N ranks), Trainer::step with the GradientReducer's fused all-reduce through the
// communicator training uses (mpi behind the stall watchdog; local for one rank), and the
// loss all-reduce. The one-rank side runs on rank 0 while the others sleep in a barrier;
// a third side runs the one-rank training on every rank at once with no communication at
// all: the ceiling the machine allows N ranks (shared memory bandwidth, caches, clocks),
// so efficiency = ceiling x (the all-reduces' share). The sides alternate --repeats times
// and medians are compared. Checked: every loss is finite and every rank ends with rank
// 0's parameters bit for bit.
// Goal (issue 5): efficiency >= 0.9 at 2 ranks, each rank with 1 thread.
//
//   mpirun --bind-to core -np 2 build/benchmarks/bench_scaling [--batch 32] [--steps 8]

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "collector/collect_job.h"
#include "collector/sources/synthetic_source.h"
#include "shared/comm/communicator.h"
#include "shared/comm/job_context.h"
#include "shared/mpi/mpi_context.h"
#include "trainer/data/data_set.h"
#include "trainer/data/scalers.h"
#include "trainer/data/window_loader.h"
#include "trainer/model/attention_lstm.h"
#include "trainer/train/allocator.h"
#include "trainer/train/gradient_reducer.h"
#include "trainer/train/trainer.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::size_t batch = 32;   // per rank
  int steps = 8;            // timed steps per side and repeat
  int repeats = 3;          // alternations of the two sides
  int threads = 1;          // intra-op threads per rank
  std::size_t window = 100;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Rank 0 collects a simulated data set into a shared temp folder; every rank loads it.
DataSet simulated_data(const JobContext& context, const fs::path& dir) {
  if (context.rank() == 0) {
    fs::remove_all(dir);
    collector::SyntheticSource source({.seed = 42, .tokens = 64, .min_candles = 288, .max_candles = 864});
    snipe::PosixEnv env;
    collector::run_collect(source, *make_solo_communicator(),
                           {.out_dir = dir, .validation = {}, .labels = {}, .config_fingerprint = "bench"}, env);
  }
  context.comm().barrier();
  return load_data_set(dir);
}

// One side of the comparison: a model, its loader and its trainer on `comm`'s ranks.
class Side {
 public:
  Side(const DataSet& data, const std::vector<std::uint32_t>& train, const Scalers& scalers, Communicator& comm,
       const BenchOptions& o)
      : comm_(comm),
        model_(build_attention_lstm(ModelOptions{}, 1)),
        loader_(data, train, scalers,
                {.batch_size = o.batch, .window = o.window, .rank = static_cast<std::size_t>(comm.rank()),
                 .world = static_cast<std::size_t>(comm.size())}),
        reducer_(trainable_parameters(model_), comm),
        trainer_(model_, train_options(o), kWeights, {.peak_lr = 1e-3, .min_lr = 1e-3, .warmup_steps = 1,
                                                      .total_steps = 1},
                 reducer_.hook(), comm.rank()) {
    broadcast_tensors(trainer_.parameters(), comm_);
    loader_.start_epoch(0);
  }

  // Seconds of `steps` steps (the slowest rank's).
  double run(int steps) {
    comm_.barrier();
    const auto start = Clock::now();
    for (int i = 0; i < steps; ++i) step();
    std::array<double, 1> seconds{std::chrono::duration<double>(Clock::now() - start).count()};
    comm_.allreduce(buffer_of(std::span(seconds)), ReduceOp::kMax);
    return seconds[0];
  }

  // Throws unless every rank holds rank 0's parameters exactly.
  void check_replicas() {
    std::vector<torch::Tensor> rank0;
    for (const auto& p : trainer_.parameters()) rank0.push_back(p.detach().clone());
    broadcast_tensors(rank0, comm_);
    for (std::size_t i = 0; i < rank0.size(); ++i) {
      if (!torch::equal(rank0[i], trainer_.parameters()[i])) {
        throw std::runtime_error(fmt::format("rank {}: parameter {} differs from rank 0's", comm_.rank(), i));
      }
    }
  }

 private:
  static TrainOptions train_options(const BenchOptions& o) {
    TrainOptions t;
    t.window = o.window;
    return t;
  }

  void step() {
    if (!loader_.next(batch_)) {  // the next epoch
      loader_.start_epoch(++epoch_);
      loader_.next(batch_);
    }
    StepResult result = trainer_.step(batch_, step_++);
    std::array<double, 1> loss{result.loss};
    comm_.allreduce(buffer_of(std::span(loss)), ReduceOp::kAverage);  // as the job logs it
    if (!std::isfinite(loss[0])) throw std::runtime_error(fmt::format("step {}: loss {}", step_, loss[0]));
  }

  static constexpr LabelWeights kWeights{.profitable = {.negative = 0.67, .positive = 2},
                                         .rug = {.negative = 0.67, .positive = 2}};
  Communicator& comm_;
  torch::jit::Module model_;
  WindowLoader loader_;
  GradientReducer reducer_;
  Trainer trainer_;
  Batch batch_;
  std::uint64_t epoch_ = 0;
  std::int64_t step_ = 0;
};

int run(const BenchOptions& o, const JobContext& context) {
  torch::set_num_threads(o.threads);
  torch::jit::setGraphExecutorOptimize(false);  // as run_train_job runs it
  keep_freed_memory_for_reuse();
  const fs::path dir = fs::temp_directory_path() / "snipe-bench-scaling";
  const DataSet data = simulated_data(context, dir);
  const Split split = split_examples(data, {.window = o.window, .whole_tokens = true});
  const Scalers scalers = fit_scalers(data, split.train, o.window);

  const auto all = make_communicator({}, context);
  const auto solo = make_solo_communicator();
  Side alone(data, split.train, scalers, *solo, o);  // on every rank, training by itself
  Side together(data, split.train, scalers, *all, o);
  alone.run(2);  // warm-up: allocator, first-step costs
  together.run(2);

  const auto examples_per_step = [&](int ranks) { return static_cast<double>(o.batch * static_cast<std::size_t>(ranks)); };
  std::vector<double> one, independent, many;  // examples/s per repeat
  for (int r = 0; r < o.repeats; ++r) {
    if (context.rank() == 0) one.push_back(examples_per_step(1) * o.steps / alone.run(o.steps));
    all->barrier();  // the other ranks sleep here meanwhile
    std::array<double, 1> slowest{alone.run(o.steps)};  // every rank at once, no communication
    all->allreduce(buffer_of(std::span(slowest)), ReduceOp::kMax);
    independent.push_back(examples_per_step(context.size()) * o.steps / slowest[0]);
    many.push_back(examples_per_step(context.size()) * o.steps / together.run(o.steps));
  }
  together.check_replicas();
  if (context.rank() == 0) {
    const double base = context.size() * median(one);
    fmt::print("weak scaling, batch {} per rank, window {}, {} thread(s) per rank, {} steps x {} repeats\n", o.batch,
               o.window, o.threads, o.steps, o.repeats);
    fmt::print("{:>28} {:>14} {:>10}\n", "", "examples/s", "efficiency");
    fmt::print("{:>28} {:>14.1f} {:>10}\n", "1 rank", median(one), "1.00");
    fmt::print("{:>28} {:>14.1f} {:>10.2f}\n", fmt::format("{} ranks, no communication", context.size()),
               median(independent), median(independent) / base);
    fmt::print("{:>28} {:>14.1f} {:>10.2f}\n", fmt::format("{} ranks, data-parallel", context.size()), median(many),
               median(many) / base);
    fmt::print("data-parallel / no communication: {:.2f}\n", median(many) / median(independent));
    fmt::print("samples 1 rank: {:.1f}\n", fmt::join(one, " "));
    fmt::print("samples {} ranks, no communication: {:.1f}\n", context.size(), fmt::join(independent, " "));
    fmt::print("samples {} ranks, data-parallel: {:.1f}\n", context.size(), fmt::join(many, " "));
    fmt::print("results checked: finite losses, identical parameters on every rank\n");
    fs::remove_all(dir);
  }
  return 0;
}

}  // namespace
}  // namespace snipe::trainer

int main(int argc, char** argv) {
  snipe::trainer::BenchOptions options;
  CLI::App app{"bench_scaling: weak scaling of data-parallel training, 1 rank against all ranks"};
  app.add_option("--batch", options.batch, "examples per rank per step");
  app.add_option("--steps", options.steps, "timed steps per side and repeat");
  app.add_option("--repeats", options.repeats, "alternations of the two sides");
  app.add_option("--threads", options.threads, "intra-op threads per rank");
  app.add_option("--window", options.window, "T");
  CLI11_PARSE(app, argc, argv);
  snipe::MpiSession session(&argc, &argv);
  const snipe::JobContext context = snipe::JobContext::over_mpi();
  spdlog::set_level(spdlog::level::warn);
  try {
    return snipe::trainer::run(options, context);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_scaling: {}\n", e.what());
    context.abort(1);
  }
}
