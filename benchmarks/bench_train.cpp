// Training speed of the attention-LSTM, side by side in one run:
//   1. our training step (Trainer::step: TorchScript module, weighted losses, clipping,
//      AdamW) against the same model and step in PyTorch eager (benchmarks/train_eager.py,
//      run with Debian's python3-torch), at batch 32 and 256;
//   2. model FLOP/s of our step against this machine's sgemm rate (torch::mm 1024^2, same
//      threads), FLOPs counted by trainer/model/model_flops.h;
//   3. the window loader's windows/s against what the trainer consumes at batch 256.
// Goals (issue 4): eager ratio >= 1.2 at batch 32 and >= 1.0 at 256; FLOP/s >= 50% of
// sgemm; loader >= 20x the trainer. Medians of --steps timed steps after 2 untimed ones.
//
//   build/benchmarks/bench_train [--threads 1] [--steps 5] [--batches 32,256]

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "collector/collect_job.h"
#include "collector/sources/synthetic_source.h"
#include "shared/comm/communicator.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/data/data_set.h"
#include "trainer/data/scalers.h"
#include "trainer/data/window_loader.h"
#include "trainer/model/attention_lstm.h"
#include "trainer/model/lstm_kernel.h"
#include "trainer/model/model_flops.h"
#include "trainer/train/allocator.h"
#include "trainer/train/trainer.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
  int threads = 1;
  int steps = 5;
  std::vector<std::size_t> batches{32, 256};
  std::size_t window = 100;
  std::string python = "/usr/bin/python3";
  bool reuse_memory = true;  // keep_freed_memory_for_reuse(), as run_train_job does
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Median seconds of `timed` calls of `work` after `warmup` untimed ones.
double median_seconds(int warmup, int timed, const std::function<void()>& work) {
  for (int i = 0; i < warmup; ++i) work();
  std::vector<double> seconds;
  for (int i = 0; i < timed; ++i) {
    const auto start = Clock::now();
    work();
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  return median(seconds);
}

double sgemm_gflops() {
  const torch::Tensor a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  const double seconds = median_seconds(3, 10, [&] { torch::mm(a, b); });
  return 2.0 * 1024 * 1024 * 1024 / seconds / 1e9;
}

void fill_random(std::vector<float>& values, std::size_t n, float low, float high, std::uint64_t seed) {
  const torch::Tensor t =
      torch::rand({static_cast<std::int64_t>(n)}, at::detail::createCPUGenerator(seed)) * (high - low) + low;
  values.assign(t.data_ptr<float>(), t.data_ptr<float>() + n);
}

Batch random_batch(std::size_t b, std::size_t t) {
  Batch batch;
  batch.size = b;
  fill_random(batch.candles, b * t * kCandleFeatureCount, -2, 2, 1);
  fill_random(batch.indicators, b * t * kIndicatorFeatureCount, -2, 2, 2);
  fill_random(batch.context, b * kContextFeatureCount, -2, 2, 3);
  fill_random(batch.profitable, b, 0, 1, 4);
  fill_random(batch.rug, b, 0, 1, 5);
  fill_random(batch.max_profit, b, 0, 2, 6);
  for (auto* labels : {&batch.profitable, &batch.rug}) {
    for (float& y : *labels) y = y > 0.5f ? 1.0f : 0.0f;
  }
  batch.examples.assign(b, 0);
  return batch;
}

// Median seconds per training step of the default model at batch `b`.
double our_step_seconds(const BenchOptions& o, std::size_t b) {
  torch::jit::Module model = build_attention_lstm(ModelOptions{}, 1);
  TrainOptions train;
  train.window = o.window;
  const LabelWeights weights{.profitable = {.negative = 0.67, .positive = 2}, .rug = {.negative = 0.67, .positive = 2}};
  Trainer trainer(model, train, weights, {.peak_lr = 1e-3, .min_lr = 1e-3, .warmup_steps = 1, .total_steps = 1});
  Batch batch = random_batch(b, o.window);
  std::int64_t step = 0;
  double loss = 0;
  const double seconds = median_seconds(2, o.steps, [&] { loss = trainer.step(batch, step++).loss; });
  if (!std::isfinite(loss)) throw std::runtime_error(fmt::format("batch {}: the training loss became {}", b, loss));
  return seconds;
}

json python_eager(const BenchOptions& o, std::size_t b) {
  const std::string command =
      fmt::format("{} benchmarks/train_eager.py --batch {} --window {} --threads {} --steps {} --warmup 2",
                  o.python, b, o.window, o.threads, o.steps);
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
    if (::pclose(pipe) != 0) output.clear();
  }
  const auto newline = output.find_last_of('\n', output.size() >= 2 ? output.size() - 2 : 0);
  const json result = json::parse(newline == std::string::npos ? output : output.substr(newline + 1), nullptr, false);
  if (result.is_discarded()) spdlog::warn("`{}` gave no result (is python3-torch installed?)", command);
  return result;
}

// Median seconds of one forward + backward of the first BiLSTM layer (B = b, I = 24,
// H = 128) through `run`.
double lstm_layer_seconds(const BenchOptions& o, std::size_t b, bool fused) {
  const std::int64_t hidden = 128, input = static_cast<std::int64_t>(kCandleFeatureCount + kIndicatorFeatureCount);
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({static_cast<std::int64_t>(b), static_cast<std::int64_t>(o.window), input});
  std::vector<torch::Tensor> w;
  for (int direction = 0; direction < 2; ++direction) {
    for (const auto& shape : std::vector<std::vector<std::int64_t>>{{4 * hidden, input}, {4 * hidden, hidden},
                                                                     {4 * hidden}, {4 * hidden}}) {
      w.push_back((torch::randn(shape) * 0.1).requires_grad_(true));
    }
  }
  const torch::Tensor h0 = torch::zeros({2, static_cast<std::int64_t>(b), hidden});
  return median_seconds(2, o.steps, [&] {
    const torch::Tensor out = fused ? bilstm(x, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
                                    : std::get<0>(torch::lstm(x, {h0, h0}, w, true, 1, 0.0, true, true, true));
    out.sum().backward();
  });
}

// Loader windows per second over a simulated data set, at batch b.
double loader_windows_per_second(const BenchOptions& o, std::size_t b) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("snipe-bench-train-{}", ::getpid());
  fs::remove_all(dir);
  collector::SyntheticSource source({.seed = 42, .tokens = 64, .min_candles = 288, .max_candles = 864});
  snipe::PosixEnv env;
  collector::run_collect(source, *make_solo_communicator(),
                         {.out_dir = dir, .validation = {}, .labels = {}, .config_fingerprint = "bench"}, env);
  const DataSet data = load_data_set(dir);
  const Split split = split_examples(data, {.window = o.window, .whole_tokens = true});
  const Scalers scalers = fit_scalers(data, split.train, o.window);
  WindowLoader loader(data, split.train, scalers, {.batch_size = b, .window = o.window});
  Batch batch;
  std::uint64_t epoch = 0;
  std::size_t windows = 0;
  const double seconds = median_seconds(1, 3, [&] {
    loader.start_epoch(epoch++);
    while (loader.next(batch)) windows += batch.size;
  });
  const double per_epoch = static_cast<double>(windows) / 4.0;  // 1 warm-up + 3 timed epochs
  fs::remove_all(dir);
  if (per_epoch != static_cast<double>(split.train.size())) {
    throw std::runtime_error(fmt::format("the loader gave {} windows per epoch for {} train examples", per_epoch,
                                         split.train.size()));
  }
  fmt::print("loader: {:.0f} windows per epoch (batch {}), median {:.1f} ms per epoch\n", per_epoch, b, seconds * 1e3);
  return per_epoch / seconds;
}

int run(const BenchOptions& o) {
  torch::set_num_threads(o.threads);
  torch::jit::setGraphExecutorOptimize(false);  // as run_train_job runs it
  if (o.reuse_memory) keep_freed_memory_for_reuse();
  const double sgemm = sgemm_gflops();
  const double flops_per_example = training_flops_per_example(ModelOptions{}, static_cast<std::int64_t>(o.window));
  fmt::print("threads {}, window {}, sgemm {:.1f} GFLOP/s, model {:.1f} MFLOP per training example\n", o.threads,
             o.window, sgemm, flops_per_example / 1e6);
  fmt::print("{:>6} {:>12} {:>12} {:>8} {:>12} {:>10}\n", "batch", "ours ex/s", "eager ex/s", "ratio", "GFLOP/s", "of sgemm");
  json results = json::array();
  double consumption_256 = 0;
  bool baseline_ok = true;
  for (const std::size_t b : o.batches) {
    const double ours = static_cast<double>(b) / our_step_seconds(o, b);
    const json eager = python_eager(o, b);
    const double theirs = eager.is_object() ? eager.value("examples_per_s", 0.0) : 0.0;
    baseline_ok = baseline_ok && theirs > 0;
    const double gflops = ours * flops_per_example / 1e9;
    fmt::print("{:>6} {:>12.1f} {:>12.1f} {:>8.2f} {:>12.2f} {:>9.0f}%\n", b, ours, theirs,
               theirs > 0 ? ours / theirs : 0.0, gflops, 100 * gflops / sgemm);
    results.push_back({{"batch", b}, {"ours_examples_per_s", ours}, {"eager_examples_per_s", theirs},
                       {"model_gflops", gflops}, {"sgemm_gflops", sgemm}});
    if (b == 256 || consumption_256 == 0) consumption_256 = ours;  // batch 256, else the first
  }
  for (const std::size_t b : o.batches) {
    const double fused = lstm_layer_seconds(o, b, true), reference = lstm_layer_seconds(o, b, false);
    fmt::print("BiLSTM(128) forward+backward at batch {}: snipe.bilstm {:.1f} ms, torch.lstm {:.1f} ms ({:.2f}x)\n", b,
               fused * 1e3, reference * 1e3, reference / fused);
  }
  const double loader = loader_windows_per_second(o, 256);
  fmt::print("loader: {:.0f} windows/s at batch 256 = {:.0f}x what the trainer consumes ({:.1f} ex/s)\n", loader,
             loader / consumption_256, consumption_256);
  fmt::print("{}\n", json{{"threads", o.threads}, {"steps", o.steps}, {"results", results},
                          {"loader_windows_per_s", loader}, {"loader_ratio", loader / consumption_256}}
                         .dump());
  if (!baseline_ok) fmt::print(stderr, "bench_train: the PyTorch eager baseline did not run; no ratio\n");
  return baseline_ok ? 0 : 1;
}

}  // namespace
}  // namespace snipe::trainer

int main(int argc, char** argv) {
  snipe::trainer::BenchOptions options;
  CLI::App app{"bench_train: training speed against PyTorch eager, sgemm and the loader"};
  app.add_option("--threads", options.threads, "intra-op threads, both sides");
  app.add_option("--steps", options.steps, "timed steps per batch size");
  app.add_option("--batches", options.batches, "batch sizes")->delimiter(',');
  app.add_option("--window", options.window, "T");
  app.add_option("--python", options.python, "interpreter with torch");
  app.add_flag("!--no-memory-reuse", options.reuse_memory, "leave glibc's mmap thresholds alone");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  return snipe::trainer::run(options);
}
