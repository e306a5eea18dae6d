// Inference-shim speed, side by side in one run (issue 6):
//   1. single-prediction latency of Shim::predict on one thread, from 300 raw candles (the
//      features are computed on the timed path, as in the bot): p50, p90, p99, max;
//   2. batch throughput: Shim::predict_batch of 64 different tokens, against 64 single
//      predictions at the single p50;
//   3. the same model.pt through Python (benchmarks/shim_python.py, Debian's python3-torch):
//      forward only, on the exact scaled inputs the shim builds for the token, whose
//      outputs must equal the shim's prediction to 1e-5;
//   4. where the shim's time goes: the inputs alone (features + scaling) and the model
//      alone (the same model.pt and call as the shim's, from C++).
// The model is the default one (build_attention_lstm(ModelOptions{}), exported with
// torch.lstm as `snipe train` exports it), freshly initialised: its weights do not change
// the work per call. The scalers are fitted on the benchmark's own tokens.
// Goals: p50 <= 10 ms, p99 <= 2x p50; Python forward p50 / shim p50 > 1.
//
//   build/benchmarks/bench_shim [--window 100] [--iters 300] [--warmup 20] [--batch-iters 20]

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/script.h>
#include <torch/torch.h>

#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "shared/features/scaling.h"
#include "shared/store/export_format.h"
#include "shared/store/export_metadata.h"
#include "shim/src/model_inputs.h"
#include "snipe/shim.h"
#include "tests/support/series.h"
#include "trainer/export/export.h"
#include "trainer/model/attention_lstm.h"

#ifndef SNIPE_BENCH_SCRIPT_DIR
#define SNIPE_BENCH_SCRIPT_DIR "benchmarks"
#endif

namespace snipe::shim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::size_t window = 100;
  std::size_t candles = 300;  // per token
  int warmup = 20;
  int iters = 300;
  int batch_iters = 20;
  int rounds = 10;  // single predictions: rounds alternating the shim, the C++ model and Python
  std::size_t batch = 64;
  bool optimize = true;  // torch::jit::setGraphExecutorOptimize
  std::string python = "/usr/bin/python3";
  std::string script = std::string(SNIPE_BENCH_SCRIPT_DIR) + "/shim_python.py";
};

constexpr double kGoalP50Ms = 10.0;
constexpr double kGoalP99OverP50 = 2.0;
constexpr double kParityTolerance = 1e-5;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Nearest-rank percentile (q in (0, 1]) of a sample.
double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

struct Latency {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  double first = 0;  // the first (untimed) warm-up call
};

Latency summarise(std::vector<double> ms, double first = 0) {
  Latency out;
  out.p50 = percentile(ms, 0.50);
  out.p90 = percentile(ms, 0.90);
  out.p99 = percentile(ms, 0.99);
  out.max = *std::max_element(ms.begin(), ms.end());
  out.first = first;
  return out;
}

// Milliseconds of each of `count` calls of `work`, appended to `ms`.
void time_calls(int count, const std::function<void()>& work, std::vector<double>& ms) {
  for (int i = 0; i < count; ++i) {
    const auto start = Clock::now();
    work();
    ms.push_back(ms_since(start));
  }
}

// Times `timed` calls of `work` after `warmup` untimed ones (the first of which is
// reported apart: what the executor does on its first call).
Latency measure(int warmup, int timed, const std::function<void()>& work) {
  std::vector<double> first, ms;
  time_calls(std::min(warmup, 1), work, first);
  time_calls(warmup - 1, work, ms);
  ms.clear();
  time_calls(timed, work, ms);
  return summarise(ms, first.empty() ? 0 : first[0]);
}

// The bench's tokens: random walks at prices from 1e-6 to 1 USD, with varied context (a
// fact or two unknown now and then, as live tokens have).
struct Tokens {
  std::vector<CandleSeries> candles;
  std::vector<std::vector<shim::Candle>> bars;  // the same candles as the shim's API takes them
  std::vector<ContextValues> context;
  std::vector<TokenInput> inputs;  // views of bars and context
};

Tokens make_tokens(std::size_t count, std::size_t candles) {
  Tokens out;
  std::mt19937 rng(6);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (std::size_t k = 0; k < count; ++k) {
    const double price = std::pow(10.0, -6.0 + 6.0 * unit(rng));
    out.candles.push_back(testing::random_walk(candles, static_cast<std::uint32_t>(100 + k), price));
    out.bars.push_back(shim::shim_candles(out.candles.back()));
    const double values[kContextFieldCount] = {
        std::pow(10.0, 3.0 + 2.0 * unit(rng)),  // initial_liquidity_usd
        0.1 + 0.8 * unit(rng),                  // top10_holder_share
        unit(rng) < 0.7 ? 1.0 : 0.0,            // mint_authority_revoked
        unit(rng) < 0.5 ? 1.0 : 0.0,            // lp_burned
        std::floor(20.0 * unit(rng)),           // creator_previous_launches
        48.0 * unit(rng),                       // age_hours
    };
    ContextValues context;
    for (std::size_t i = 0; i < kContextFieldCount; ++i) {
      const bool unknown = (k + i) % 7 == 3;
      context.emplace_back(std::string(kContextFieldNames[i]), unknown ? std::nullopt : std::optional(values[i]));
    }
    out.context.push_back(std::move(context));
  }
  for (std::size_t k = 0; k < count; ++k) out.inputs.push_back({out.bars[k], out.context[k]});
  return out;
}

// sklearn's semantics as trainer/data/scalers.h fits them: RobustScaler (median, IQR with
// linear interpolation) for candle features, StandardScaler (mean, population sd) for the
// rest; a zero scale becomes 1.
double quantile(std::vector<double>& sorted, double q) {
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (at - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

template <std::size_t N>
ColumnScaler robust(const std::array<std::string_view, N>& names, const std::vector<std::array<double, N>>& rows) {
  ColumnScaler s;
  for (std::size_t f = 0; f < N; ++f) {
    std::vector<double> column;
    for (const auto& row : rows) column.push_back(row[f]);
    std::sort(column.begin(), column.end());
    const double iqr = quantile(column, 0.75) - quantile(column, 0.25);
    s.names.emplace_back(names[f]);
    s.center.push_back(quantile(column, 0.5));
    s.scale.push_back(iqr > 0 ? iqr : 1.0);
  }
  return s;
}

template <std::size_t N>
ColumnScaler standard(const std::array<std::string_view, N>& names, const std::vector<std::array<double, N>>& rows) {
  ColumnScaler s;
  for (std::size_t f = 0; f < N; ++f) {
    double mean = 0, squares = 0;
    for (const auto& row : rows) mean += row[f];
    mean /= static_cast<double>(rows.size());
    for (const auto& row : rows) squares += (row[f] - mean) * (row[f] - mean);
    const double sd = std::sqrt(squares / static_cast<double>(rows.size()));
    s.names.emplace_back(names[f]);
    s.center.push_back(mean);
    s.scale.push_back(sd > 0 ? sd : 1.0);
  }
  return s;
}

// Fitted on every defined row of the tokens (float32, as shards store them) and on one
// context row per token.
Scalers fit_scalers(const Tokens& tokens) {
  const auto as_stored = [](auto row) {
    for (double& v : row) v = static_cast<float>(v);
    return row;
  };
  std::vector<CandleFeatureRow> candle_rows;
  std::vector<IndicatorFeatureRow> indicator_rows;
  std::vector<ContextFeatureRow> context_rows;
  for (std::size_t k = 0; k < tokens.inputs.size(); ++k) {
    FeatureStream stream;
    for (std::size_t t = 0; t < tokens.candles[k].size(); ++t) {
      const FeatureRow row = stream.push(tokens.candles[k][t]);
      if (t < kModelFeatureWarmup) continue;
      candle_rows.push_back(as_stored(row.candle));
      indicator_rows.push_back(as_stored(row.indicator));
    }
    context_rows.push_back(as_stored(context_features(parse_context(tokens.context[k], "fit"))));
  }
  return {robust(kCandleFeatureNames, candle_rows), standard(kIndicatorFeatureNames, indicator_rows),
          standard(kContextFeatureNames, context_rows)};
}

// A temporary directory, removed on every way out.
struct TempDir {
  fs::path path = fs::temp_directory_path() / fmt::format("snipe-bench-shim-{}", ::getpid());
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// The scaled inputs of one token as the shim builds them.
struct ModelInputs {
  std::vector<float> candles, indicators, context;
};

ModelInputs model_inputs(const TokenInput& token, std::size_t window, const Scalers& scalers) {
  ModelInputs in{std::vector<float>(window * kCandleFeatureCount), std::vector<float>(window * kIndicatorFeatureCount),
                 std::vector<float>(kContextFeatureCount)};
  write_model_inputs(token, window, scalers, "bench", in.candles, in.indicators, in.context);
  return in;
}

// "SNIPEIN1", uint32 tensor count, then per tensor: uint32 rank, int64 dims, float32 data
// (this machine's byte order: little-endian on x86-64 and aarch64).
void write_inputs_file(const fs::path& file, const ModelInputs& in, std::size_t window) {
  static_assert(std::endian::native == std::endian::little, "shim_python.py reads little-endian floats");
  std::ofstream out(file, std::ios::binary);
  const auto t = static_cast<std::int64_t>(window);
  const std::pair<const std::vector<float>*, std::vector<std::int64_t>> tensors[] = {
      {&in.candles, {1, t, static_cast<std::int64_t>(kCandleFeatureCount)}},
      {&in.indicators, {1, t, static_cast<std::int64_t>(kIndicatorFeatureCount)}},
      {&in.context, {1, static_cast<std::int64_t>(kContextFeatureCount)}}};
  out.write("SNIPEIN1", 8);
  const std::uint32_t count = 3;
  out.write(reinterpret_cast<const char*>(&count), sizeof count);
  for (const auto& [data, shape] : tensors) {
    const auto rank = static_cast<std::uint32_t>(shape.size());
    out.write(reinterpret_cast<const char*>(&rank), sizeof rank);
    out.write(reinterpret_cast<const char*>(shape.data()), static_cast<std::streamsize>(shape.size() * sizeof(std::int64_t)));
    out.write(reinterpret_cast<const char*>(data->data()), static_cast<std::streamsize>(data->size() * sizeof(float)));
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

// benchmarks/shim_python.py --serve, kept running so that its forward calls can be timed
// in rounds between the shim's (this shared VM's speed drifts by up to ~40% over seconds:
// measured one after the other, the two sides would compare two different machines).
// Protocol: one JSON line when loaded and warmed up, then one per request "N MODE".
class PythonWorker {
 public:
  PythonWorker(const BenchOptions& o, const fs::path& model, const fs::path& inputs)
      : command_(fmt::format("{} {} {} {} --serve --warmup {} --threads 1{}", o.python, o.script, model.string(),
                             inputs.string(), o.warmup, o.optimize ? "" : " --no-optimize")) {
    int to_child[2], from_child[2];
    if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) throw std::runtime_error("pipe failed");
    std::fflush(nullptr);  // nothing buffered is written twice
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(to_child[0], STDIN_FILENO);
      ::dup2(from_child[1], STDOUT_FILENO);
      for (const int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
      ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    requests_ = ::fdopen(to_child[1], "w");
    replies_ = ::fdopen(from_child[0], "r");
    ready_ = read_reply();
  }
  ~PythonWorker() {
    if (requests_) std::fclose(requests_);  // EOF: the worker exits
    if (replies_) std::fclose(replies_);
    int status = 0;
    if (pid_ > 0) ::waitpid(pid_, &status, 0);
  }
  PythonWorker(const PythonWorker&) = delete;
  PythonWorker& operator=(const PythonWorker&) = delete;

  bool running() const { return ready_.is_object(); }
  const json& ready() const { return ready_; }
  const std::string& command() const { return command_; }

  // {"times_ms": [...], "outputs": [p, m, r]} of `count` timed forward calls, or null.
  json time(int count, const char* mode) {
    if (!running()) return nullptr;
    std::fprintf(requests_, "%d %s\n", count, mode);
    std::fflush(requests_);
    json reply = read_reply();
    if (!reply.is_object()) throw std::runtime_error(fmt::format("`{}` stopped answering", command_));
    return reply;
  }

 private:
  json read_reply() {
    std::string line;
    for (int c; (c = std::fgetc(replies_)) != EOF && c != '\n';) line.push_back(static_cast<char>(c));
    return json::parse(line, nullptr, false);  // discarded (not an object) at EOF
  }

  std::string command_;
  pid_t pid_ = -1;
  std::FILE* requests_ = nullptr;
  std::FILE* replies_ = nullptr;
  json ready_;
};

// Forward only, as ModelVersion::run calls it: the same model.pt, from_blob inputs,
// InferenceMode, one thread.
class ModelOnly {
 public:
  ModelOnly(const fs::path& model_file, const ModelInputs& in, std::size_t window)
      : module_(torch::jit::load(model_file.string())), in_(in), t_(static_cast<std::int64_t>(window)) {
    module_.eval();
    for (int i = 0; i < 3; ++i) call();  // as the shim's load warms up
  }
  void call() {
    const c10::InferenceMode no_autograd;
    std::vector<c10::IValue> inputs{blob(in_.candles, {1, t_, static_cast<std::int64_t>(kCandleFeatureCount)}),
                                    blob(in_.indicators, {1, t_, static_cast<std::int64_t>(kIndicatorFeatureCount)}),
                                    blob(in_.context, {1, static_cast<std::int64_t>(kContextFeatureCount)})};
    module_.forward(std::move(inputs));
  }

 private:
  static at::Tensor blob(const std::vector<float>& data, c10::IntArrayRef shape) {
    return torch::from_blob(const_cast<float*>(data.data()), shape, torch::kFloat32);
  }
  torch::jit::Module module_;
  const ModelInputs& in_;
  std::int64_t t_;
};

// CPUs this process may run on (what nproc prints).
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  return ::sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown CPU";
}

const char* mark(bool met) { return met ? "yes" : "NO"; }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::vector<double> times_of(const json& reply) { return reply.at("times_ms").get<std::vector<double>>(); }

int run(const BenchOptions& o, const std::string& command_line) {
  torch::jit::setGraphExecutorOptimize(o.optimize);
  fmt::print("command: {}\n", command_line);
  fmt::print("machine: nproc {} ({} online), {}; LibTorch {}\n", usable_cpus(), ::sysconf(_SC_NPROCESSORS_ONLN),
             cpu_model(), TORCH_VERSION);
  if (o.candles < min_candles_for(o.window)) {
    throw std::runtime_error(fmt::format("--candles {} is under the {} a window of {} needs", o.candles,
                                         min_candles_for(o.window), o.window));
  }

  const TempDir temp;
  const Tokens tokens = make_tokens(std::max<std::size_t>(o.batch, 1), o.candles);
  const Scalers scalers = fit_scalers(tokens);
  const fs::path export_dir = temp.path / "export";
  const fs::path model_file = export_dir / kExportModelFile;
  {
    const trainer::ModelOptions options{};
    const torch::jit::Module fused = trainer::build_attention_lstm(options, 1);
    torch::jit::Module portable = trainer::portable_attention_lstm(fused, options);
    portable.eval();
    trainer::write_export(export_dir, portable, scalers, make_export_metadata(static_cast<std::int64_t>(o.window)));
  }

  const auto load_start = Clock::now();
  const Shim shim(export_dir, {.intra_op_threads = 1, .watch = false});
  const double load_ms = ms_since(load_start);
  fmt::print("model: default attention-LSTM (BiLSTM128 -> BiLSTM64, 4 heads), window {}, graph optimizer {}; "
             "export loaded, checked and warmed up in {:.0f} ms\n",
             o.window, o.optimize ? "on" : "off", load_ms);
  fmt::print("token: {} raw candles (features from all of them on every call), batch {} different tokens\n", o.candles,
             o.batch);

  // The shim's inputs for the token, for the model-only and Python sides.
  const TokenInput& token = tokens.inputs[0];
  const ModelInputs inputs = model_inputs(token, o.window, scalers);
  const fs::path inputs_file = temp.path / "inputs.bin";
  write_inputs_file(inputs_file, inputs, o.window);

  // Warm-ups: the shim's first call after load is reported apart.
  Prediction single;
  const auto predict = [&] { single = shim.predict(token); };
  std::vector<double> first, untimed;
  time_calls(std::min(o.warmup, 1), predict, first);
  time_calls(o.warmup - 1, predict, untimed);
  ModelOnly model(model_file, inputs, o.window);
  const auto forward = [&] { model.call(); };
  time_calls(o.warmup, forward, untimed);
  PythonWorker python(o, model_file, inputs_file);
  if (!python.running()) {
    fmt::print("python: skipped: `{}` did not start (is python3-torch installed?)\n", python.command());
  }

  // 1. Single predictions, the bot's path (raw candles -> features -> scaling -> model),
  // in rounds with the C++ model alone and Python's forward, so that every side sees the
  // machine at the same speed.
  std::vector<double> shim_ms, model_ms, python_ms, inference_ms, round_ratios;
  json python_outputs;
  for (int r = 0; r < o.rounds; ++r) {
    const int count = o.iters / o.rounds + (r < o.iters % o.rounds ? 1 : 0);
    if (count == 0) continue;
    std::vector<double> shim_round;
    time_calls(count, predict, shim_round);
    time_calls(count, forward, model_ms);
    shim_ms.insert(shim_ms.end(), shim_round.begin(), shim_round.end());
    if (!python.running()) continue;
    const json reply = python.time(count, "no_grad");
    const std::vector<double> python_round = times_of(reply);
    python_ms.insert(python_ms.end(), python_round.begin(), python_round.end());
    const std::vector<double> inference = times_of(python.time(count, "inference_mode"));
    inference_ms.insert(inference_ms.end(), inference.begin(), inference.end());
    round_ratios.push_back(percentile(python_round, 0.5) / percentile(shim_round, 0.5));
    if (python_outputs.is_null()) python_outputs = reply.at("outputs");
  }
  const Latency latency = summarise(shim_ms, first.empty() ? 0 : first[0]);
  const Latency model_latency = summarise(model_ms);

  // 2. The shim's inputs alone (features + scaling).
  ModelInputs scratch = inputs;
  const Latency features = measure(o.warmup, o.iters, [&] {
    write_model_inputs(token, o.window, scalers, "bench", scratch.candles, scratch.indicators, scratch.context);
  });

  // 3. A batch of different tokens.
  std::vector<BatchItem> items;
  const int batch_warmup = std::min(o.warmup, 5);
  const Latency batch =
      measure(batch_warmup, o.batch_iters, [&] { items = shim.predict_batch(tokens.inputs); });

  // Checks: every batch token predicted, token 0 as alone; Python's outputs on the shim's
  // inputs are the shim's prediction.
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (!items[k].prediction) throw std::runtime_error(fmt::format("batch token {} was refused: {}", k, items[k].error));
  }
  const double shim_outputs[] = {single.profitable_prob, single.max_profit, single.rug_prob};
  const Prediction& in_batch = *items[0].prediction;
  const double batch_gap =
      std::max({std::abs(in_batch.profitable_prob - shim_outputs[0]), std::abs(in_batch.max_profit - shim_outputs[1]),
                std::abs(in_batch.rug_prob - shim_outputs[2])});
  if (batch_gap > kParityTolerance) {
    fmt::print(stderr, "bench_shim: FAILED: token 0 predicts [{}, {}, {}] alone but [{}, {}, {}] in the batch\n",
               shim_outputs[0], shim_outputs[1], shim_outputs[2], in_batch.profitable_prob, in_batch.max_profit,
               in_batch.rug_prob);
    return 1;
  }
  double python_gap = 0;
  if (python.running()) {
    for (std::size_t k = 0; k < 3; ++k) {
      python_gap = std::max(python_gap, std::abs(python_outputs.at(k).get<double>() - shim_outputs[k]));
    }
    if (!(python_gap <= kParityTolerance)) {
      fmt::print(stderr,
                 "bench_shim: FAILED: Python's outputs {} on the shim's inputs differ from the shim's prediction "
                 "[{}, {}, {}] by {:.3g} (> {})\n",
                 python_outputs.dump(), shim_outputs[0], shim_outputs[1], shim_outputs[2], python_gap,
                 kParityTolerance);
      return 1;
    }
  }

  // The table.
  const double tokens_per_s = static_cast<double>(o.batch) / batch.p50 * 1e3;
  const double batch_ratio = static_cast<double>(o.batch) * latency.p50 / batch.p50;
  fmt::print("\n{:<46} {:>8} {:>8} {:>8} {:>8} {:>9}  {}\n", "ms per call, 1 thread", "p50", "p90", "p99", "max",
             "1st call", "goal / ratio");
  const auto row = [](const std::string& name, const Latency& l, const std::string& note) {
    const std::string first_call = l.first > 0 ? fmt::format("{:.3f}", l.first) : "";
    fmt::print("{:<46} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>9}  {}\n", name, l.p50, l.p90, l.p99, l.max, first_call,
               note);
  };
  row(fmt::format("shim predict, {} raw candles", o.candles), latency,
      fmt::format("p50 <= {:.0f} ms: {}; p99 <= {:.0f}x p50 ({:.2f}x): {}", kGoalP50Ms, mark(latency.p50 <= kGoalP50Ms),
                  kGoalP99OverP50, latency.p99 / latency.p50, mark(latency.p99 <= kGoalP99OverP50 * latency.p50)));
  row("  inputs alone (features + scaling)", features, "");
  row("  model forward alone (C++, InferenceMode)", model_latency,
      fmt::format("shim / model p50 = {:.3f}", latency.p50 / model_latency.p50));
  row(fmt::format("shim predict_batch, {} tokens", o.batch), batch,
      fmt::format("{:.0f} tokens/s; 64 x single p50 / batch = {:.2f}x", tokens_per_s, batch_ratio));
  double python_ratio = 0, inference_ratio = 0;
  if (python.running()) {
    const Latency no_grad = summarise(python_ms), inference = summarise(inference_ms);
    python_ratio = no_grad.p50 / latency.p50;
    inference_ratio = inference.p50 / latency.p50;
    row("python forward alone, torch.no_grad", no_grad,
        fmt::format("python / shim p50 = {:.2f} (goal > 1): {}; by round: median {:.2f}, {:.2f}-{:.2f}", python_ratio,
                    mark(python_ratio > 1), median(round_ratios),
                    *std::min_element(round_ratios.begin(), round_ratios.end()),
                    *std::max_element(round_ratios.begin(), round_ratios.end())));
    row("python forward alone, torch.inference_mode", inference,
        fmt::format("python / shim p50 = {:.2f}", inference_ratio));
  } else {
    fmt::print("{:<46} skipped (no python3-torch)\n", "python forward alone");
  }
  fmt::print("\nsingle: {} timed calls after {} untimed, in {} rounds alternating shim, C++ model, Python no_grad, "
             "Python inference_mode; batch: {} timed after {} untimed.\nThe shim's row computes the features from raw "
             "candles on every call; Python's rows are the model forward alone (a handicap for the shim).\n",
             o.iters, o.warmup, o.rounds, o.batch_iters, batch_warmup);
  fmt::print("checked: batch token 0 = its single prediction (|diff| {:.2g}){}\n", batch_gap,
             python.running()
                 ? fmt::format("; Python's outputs on the shim's inputs = the shim's prediction (|diff| {:.2g} <= {})",
                               python_gap, kParityTolerance)
                 : std::string(""));
  const auto as_json = [](const Latency& l) {
    return json{{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"max", l.max}};
  };
  json result{{"window", o.window},
              {"candles", o.candles},
              {"graph_optimize", o.optimize},
              {"load_ms", load_ms},
              {"single_ms", as_json(latency)},
              {"first_call_ms", latency.first},
              {"inputs_ms", as_json(features)},
              {"model_ms", as_json(model_latency)},
              {"batch", {{"size", o.batch}, {"ms", as_json(batch)}, {"tokens_per_s", tokens_per_s},
                         {"ratio_to_single", batch_ratio}}}};
  if (python.running()) {
    result["python"] = {{"torch", python.ready().value("torch", "")},
                        {"no_grad_ms", as_json(summarise(python_ms))},
                        {"inference_mode_ms", as_json(summarise(inference_ms))},
                        {"python_over_shim", python_ratio},
                        {"inference_mode_over_shim", inference_ratio},
                        {"round_ratios", round_ratios}};
  }
  fmt::print("{}\n", result.dump());
  return 0;
}

}  // namespace
}  // namespace snipe::shim

int main(int argc, char** argv) {
  snipe::shim::BenchOptions options;
  CLI::App app{"bench_shim: inference-shim latency and throughput against the same model in Python"};
  app.add_option("--window", options.window, "T of the exported model")->check(CLI::PositiveNumber);
  app.add_option("--candles", options.candles, "raw candles per token")->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup, "untimed calls first")->check(CLI::NonNegativeNumber);
  app.add_option("--iters", options.iters, "timed single predictions")->check(CLI::PositiveNumber);
  app.add_option("--rounds", options.rounds, "rounds the timed single calls are split into")
      ->check(CLI::PositiveNumber);
  app.add_option("--batch-iters", options.batch_iters, "timed batch predictions")->check(CLI::PositiveNumber);
  app.add_option("--batch", options.batch, "tokens per batch")->check(CLI::PositiveNumber);
  app.add_flag("!--no-optimize", options.optimize,
               "torch::jit::setGraphExecutorOptimize(false) (and torch.jit.optimized_execution(False) in Python)");
  app.add_option("--python", options.python, "interpreter with torch");
  app.add_option("--script", options.script, "shim_python.py");
  CLI11_PARSE(app, argc, argv);
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  spdlog::set_level(spdlog::level::warn);
  std::signal(SIGPIPE, SIG_IGN);  // a Python worker that dies is reported, not fatal
  try {
    return snipe::shim::run(options, command_line);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_shim: FAILED: {}\n", e.what());
    return 1;
  }
}
