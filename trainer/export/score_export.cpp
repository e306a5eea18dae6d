#include "trainer/export/score_export.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/core/json_fields.h"
#include "shared/core/model_error.h"
#include "shared/features/model_features.h"
#include "shared/store/export_format.h"
#include "shared/store/export_metadata.h"
#include "shared/models/boosted_trees.h"
#include "trainer/baselines/logistic_model.h"
#include "trainer/baselines/tabular_set.h"
#include "trainer/export/export.h"
#include "trainer/train/serving.h"
#include "trainer/train/evaluate.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;

// Every example whose window is usable (data_set.h), in data set order.
std::vector<std::uint32_t> usable_examples(const DataSet& data, std::size_t window) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < data.examples.size(); ++i) {
    if (usable(data.examples[i], window)) out.push_back(i);
  }
  return out;
}

std::string read_export_file(const fs::path& path) {
  if (!fs::exists(path)) {
    throw ModelError(fmt::format("{}: missing; HINT: the export predates the baselines, train it again with this "
                                 "build's `snipe train`",
                                 path.string()));
  }
  return read_file(path);
}

constexpr const char* kRetrainHint = "HINT: export the model again with this build's `snipe train`";

// A JSON file of the export, parsed; DataError naming the file when it is not JSON.
nlohmann::json read_export_json(const fs::path& path) {
  return parse_json(read_export_file(path), path.string(), kRetrainHint);
}

// The baselines of `head` scored on `set`; returns the trees' probabilities.
std::vector<float> score_baselines(const fs::path& export_dir, const char* head, const TabularSet& set,
                                   const std::vector<float>& labels, int threads, HeadScores& out) {
  const MatrixView x{.values = set.features, .rows = set.rows, .cols = kTabularFeatureCount};
  const fs::path logistic_file = export_dir / baseline_file(head, "logistic");
  const LogisticModel logistic = logistic_model_from_json(read_export_json(logistic_file), logistic_file.string());
  const BoostedTrees trees =
      BoostedTrees::from_json(read_export_file(export_dir / baseline_file(head, "xgboost")), kTabularFeatureCount,
                              threads);
  out.logistic = binary_metrics(logistic.predict(x), labels);
  std::vector<float> trees_p = trees.predict(x);
  out.xgboost = binary_metrics(trees_p, labels);
  return trees_p;
}

// The model's head scored alone and as served.
void score_model(const std::vector<float>& model, const std::vector<float>& trees, const std::vector<float>& labels,
                 const ExportHeadServing& serving, HeadScores& out) {
  out.sequence = binary_metrics(model, labels);
  out.model = binary_metrics(
      served({.model = model, .trees = trees, .labels = labels}, serving.model_weight, serving.temperature), labels);
}

}  // namespace

ExportScores score_export(const fs::path& export_dir, const fs::path& data_dir, int threads) {
  torch::set_num_threads(threads);
  const ExportMetadata metadata =
      export_metadata_from_json(read_export_json(export_dir / kExportMetadataFile), (export_dir / kExportMetadataFile).string());
  const Scalers scalers = scalers_from_json(read_export_json(export_dir / kExportScalersFile));
  const auto window = static_cast<std::size_t>(metadata.window);
  const DataSet data = load_data_set(data_dir);
  const std::vector<std::uint32_t> examples = usable_examples(data, window);
  if (examples.empty()) {
    throw DataError(fmt::format("{}: no example has a whole window of {} rows with every feature defined; HINT: "
                                "collect longer series",
                                data_dir.string(), window));
  }
  torch::jit::Module model = load_exported_model(export_dir);
  WindowLoader loader(data, examples, scalers, {.batch_size = 256, .window = window, .shuffle = false});
  Predictions p = predict(model, loader, window);
  const ExportServing serving = metadata.serving.value_or(ExportServing{});
  ExportScores scores{.tokens = static_cast<std::int64_t>(data.series.size()),
                      .examples = static_cast<std::int64_t>(examples.size())};
  const TabularSet set = tabular_set(data, examples, window);
  const std::vector<float> profitable_trees =
      score_baselines(export_dir, "profitable", set, set.profitable, threads, scores.profitable);
  const std::vector<float> rug_trees = score_baselines(export_dir, "rug", set, set.rug, threads, scores.rug);
  score_model(p.profitable, profitable_trees, p.profitable_y, serving.profitable, scores.profitable);
  score_model(p.rug, rug_trees, p.rug_y, serving.rug, scores.rug);
  return scores;
}

namespace {

nlohmann::json to_json(const HeadScores& head) {
  return {{"model", to_json(head.model)},
          {"sequence", to_json(head.sequence)},
          {"logistic", to_json(head.logistic)},
          {"xgboost", to_json(head.xgboost)}};
}

}  // namespace

nlohmann::json to_json(const ExportScores& scores) {
  return {{"tokens", scores.tokens},
          {"examples", scores.examples},
          {"profitable", to_json(scores.profitable)},
          {"rug", to_json(scores.rug)}};
}

}  // namespace snipe::trainer
