#include "shim/src/model_version.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <ATen/Parallel.h>
#include <torch/script.h>

#include "shared/core/atomic_file.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "shared/features/served_probability.h"
#include "shared/features/tabular.h"
#include "shared/store/export_format.h"
#include "shared/store/torchscript_loader.h"
#include "shim/src/export_metadata.h"
#include "shim/src/model_inputs.h"

namespace snipe::shim {
namespace {

// LibTorch's intra-op thread count is per thread (OpenMP): set it on the calling thread
// when it differs, which after the first call on a thread costs one comparison.
void use_threads(int threads) {
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
}

// The shared loader's snipe::ModelError (the trainer's too) as the shim's public one.
torch::jit::Module load_model(const std::filesystem::path& file) {
  try {
    return load_torchscript(file);
  } catch (const snipe::ModelError& e) {
    throw ModelError(e.what());
  }
}

// A fixed, plausible token for the self-check: a drifting, oscillating price around 1e-3
// USD with a steady volume.
std::vector<Candle> self_check_candles(std::size_t count) {
  std::vector<Candle> candles(count);
  double close = 1e-3;
  for (std::size_t t = 0; t < count; ++t) {
    const double open = close;
    close = open * std::exp(0.01 * std::sin(0.37 * static_cast<double>(t)) + 0.001);
    candles[t] = {.timestamp = 1'700'000'000 + static_cast<std::int64_t>(t) * 300,
                  .open = open,
                  .high = std::max(open, close) * 1.004,
                  .low = std::min(open, close) * 0.996,
                  .close = close,
                  .volume = 1000.0 + 50.0 * static_cast<double>(t % 7)};
  }
  return candles;
}

// A baseline the export serves a head with, parsed from `file` by `parse`; any failure a
// ModelError naming the file.
template <class Parse>
auto load_baseline(const std::filesystem::path& file, Parse parse) {
  try {
    return parse(read_file(file));
  } catch (const std::exception& e) {
    throw ModelError(fmt::format("{}: cannot load the baseline the metadata serves a head with: {}; HINT: export "
                                 "the model again with this build's `snipe train`",
                                 file.string(), e.what()));
  }
}

// A baseline's probabilities on the tabular view [rows, kTabularFeatureCount]; a failure
// is a ModelError naming its file.
template <class Baseline>
std::vector<float> predict_baseline(const Baseline& baseline, const std::filesystem::path& file,
                                    std::span<const float> tabular, std::size_t rows) {
  try {
    return baseline.predict({.values = tabular, .rows = rows, .cols = kTabularFeatureCount});
  } catch (const std::exception& e) {
    throw ModelError(fmt::format("{}: the baseline failed: {}", file.string(), e.what()));
  }
}

ContextValues unknown_context() {
  ContextValues context;
  for (const std::string_view name : kContextFieldNames) context.emplace_back(std::string(name), std::nullopt);
  return context;
}

}  // namespace

struct ModelVersion::Module {
  torch::jit::Module module;  // eval mode; forward(candles, indicators, context) -> 3 x [B]
};

ModelVersion::ModelVersion(VersionRef ref, std::size_t window, Scalers scalers, ServedHead profitable,
                           ServedHead rug, std::unique_ptr<Module> module, int intra_op_threads)
    : ref_(std::move(ref)),
      window_(window),
      scalers_(std::move(scalers)),
      profitable_(std::move(profitable)),
      rug_(std::move(rug)),
      module_(std::move(module)),
      intra_op_threads_(intra_op_threads) {}

ModelVersion::~ModelVersion() = default;

std::shared_ptr<const ModelVersion> ModelVersion::load(const VersionRef& ref, int intra_op_threads) {
  ExportDescription description = read_export_description(ref.dir);
  auto module = std::make_unique<Module>(Module{load_model(ref.dir / kExportModelFile)});
  // Not make_shared: the constructor is private.
  const ExportServing serving = description.metadata.serving.value_or(ExportServing{});
  std::shared_ptr<const ModelVersion> version(
      new ModelVersion(ref, description.window, std::move(description.scalers), served_head(ref, serving.profitable),
                       served_head(ref, serving.rug), std::move(module), intra_op_threads));
  version->self_check();
  return version;
}

ModelVersion::ServedHead ModelVersion::served_head(const VersionRef& ref, const ExportHeadServing& serving) {
  ServedHead head{.serving = serving, .trees = nullptr, .logistic = std::nullopt};
  if (serving.weights.trees > 0.0) {
    head.trees = std::make_unique<BoostedTrees>(load_baseline(ref.dir / serving.trees, [](const std::string& text) {
      return BoostedTrees::from_json(text, kTabularFeatureCount);
    }));
  }
  if (serving.weights.logistic > 0.0) {
    const std::filesystem::path file = ref.dir / serving.logistic;
    head.logistic = load_baseline(file, [&](const std::string& text) {
      return logistic_model_from_json(nlohmann::json::parse(text), file.string(), kTabularFeatureCount);
    });
  }
  return head;
}

// The head's model probabilities in `probabilities` [B] become the served ones.
void ModelVersion::serve(const ServedHead& head, std::span<double> probabilities,
                         std::span<const float> tabular) const {
  const ExportHeadServing& s = head.serving;
  if (!head.uses_baselines()) {
    if (s.temperature == 1.0) return;  // exactly the model's output
    for (double& p : probabilities) p = temperature_scaled(p, s.temperature);
    return;
  }
  const std::size_t batch = probabilities.size();
  // A part without a share is not read: 0.5 stands in for it.
  const std::vector<float> trees = head.trees ? predict_baseline(*head.trees, ref_.dir / s.trees, tabular, batch)
                                              : std::vector<float>(batch, 0.5f);
  const std::vector<float> logistic = head.logistic
                                          ? predict_baseline(*head.logistic, ref_.dir / s.logistic, tabular, batch)
                                          : std::vector<float>(batch, 0.5f);
  for (std::size_t i = 0; i < batch; ++i) {
    probabilities[i] = served_probability(probabilities[i], trees[i], logistic[i], s.weights, s.temperature);
  }
}

void ModelVersion::run(std::size_t batch, std::span<const float> candles, std::span<const float> indicators,
                       std::span<const float> context, std::span<const float> tabular,
                       const BatchOutputs& out) const {
  if (needs_tabular() && tabular.size() != batch * kTabularFeatureCount) {
    throw ModelError(fmt::format("{}: the tabular view of {} tokens is needed, {} values were given",
                                 ref_.dir.string(), batch, tabular.size()));
  }
  const auto b = static_cast<std::int64_t>(batch);
  const auto t = static_cast<std::int64_t>(window_);
  use_threads(intra_op_threads_);
  const c10::InferenceMode no_autograd;
  // from_blob does not copy; the model only reads its inputs.
  auto input = [](std::span<const float> data, c10::IntArrayRef shape) {
    return torch::from_blob(const_cast<float*>(data.data()), shape, torch::kFloat32);
  };
  std::vector<c10::IValue> inputs{input(candles, {b, t, static_cast<std::int64_t>(kCandleFeatureCount)}),
                                  input(indicators, {b, t, static_cast<std::int64_t>(kIndicatorFeatureCount)}),
                                  input(context, {b, static_cast<std::int64_t>(kContextFeatureCount)})};
  try {
    const auto outputs = module_->module.forward(std::move(inputs)).toTuple();
    const std::span<double> targets[] = {out.profitable, out.max_profit, out.rug};
    if (outputs->elements().size() != 3) throw ModelError("forward returned a tuple of the wrong size");
    for (std::size_t k = 0; k < 3; ++k) {
      const at::Tensor values = outputs->elements()[k].toTensor().to(torch::kFloat64).contiguous();
      if (values.numel() != b) throw ModelError(fmt::format("output {} has {} values for {} tokens", k, values.numel(), b));
      std::copy_n(values.data_ptr<double>(), batch, targets[k].begin());
    }
    serve(profitable_, out.profitable.first(batch), tabular);
    serve(rug_, out.rug.first(batch), tabular);
  } catch (const ModelError& e) {
    throw ModelError(fmt::format("{}: {}", (ref_.dir / kExportModelFile).string(), e.what()));
  } catch (const c10::Error& e) {
    throw ModelError(fmt::format("{}: forward failed: {}", (ref_.dir / kExportModelFile).string(),
                                 e.what_without_backtrace()));
  }
}

void ModelVersion::self_check() const {
  const std::vector<Candle> candles = self_check_candles(min_candles_for(window_) + 7);
  const TokenInput token{.candles = candles, .context = unknown_context()};
  const std::size_t fc = window_ * kCandleFeatureCount, fi = window_ * kIndicatorFeatureCount;
  constexpr std::size_t fv = kTabularFeatureCount;
  std::vector<float> c(2 * fc), i(2 * fi), x(2 * kContextFeatureCount), v(2 * fv);
  for (std::size_t k = 0; k < 2; ++k) {
    write_model_inputs(token, window_, scalers_, "self-check token", std::span(c).subspan(k * fc, fc),
                       std::span(i).subspan(k * fi, fi),
                       std::span(x).subspan(k * kContextFeatureCount, kContextFeatureCount),
                       std::span(v).subspan(k * fv, fv));
  }
  double p[2], m[2], r[2];
  const std::string where = (ref_.dir / kExportModelFile).string();
  for (int warm_up = 0; warm_up < 3; ++warm_up) {  // the profiling executor specialises on early calls
    run(1, std::span(c).first(fc), std::span(i).first(fi), std::span(x).first(kContextFeatureCount),
        std::span(v).first(fv), {p, m, r});
  }
  const double single[] = {p[0], m[0], r[0]};
  run(2, c, i, x, v, {p, m, r});
  const bool probabilities = p[0] >= 0.0 && p[0] <= 1.0 && r[0] >= 0.0 && r[0] <= 1.0;
  if (!probabilities || !std::isfinite(m[0])) {
    throw ModelError(fmt::format("{}: fails the self-check: outputs profitable {}, max_profit {}, rug {} on a "
                                 "synthetic token (probabilities must be in [0, 1], all finite); the previous "
                                 "version keeps serving",
                                 where, p[0], m[0], r[0]));
  }
  // Rows of one batch may round differently (GEMM blocking), so "equal" is to 1e-5.
  const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-5; };
  if (!near(p[0], p[1]) || !near(m[0], m[1]) || !near(r[0], r[1]) || !near(p[0], single[0]) ||
      !near(m[0], single[1]) || !near(r[0], single[2])) {
    throw ModelError(fmt::format("{}: fails the self-check: a token's outputs depend on the batch it is in "
                                 "(alone {} {} {}, in a pair {} {} {} / {} {} {})",
                                 where, single[0], single[1], single[2], p[0], m[0], r[0], p[1], m[1], r[1]));
  }
}

}  // namespace snipe::shim
