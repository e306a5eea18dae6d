#include "trainer/export/score_export.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/core/model_error.h"
#include "shared/features/model_features.h"
#include "shared/store/export_format.h"
#include "shared/store/export_metadata.h"
#include "trainer/baselines/boosted_trees.h"
#include "trainer/baselines/logistic_model.h"
#include "trainer/baselines/tabular_set.h"
#include "trainer/export/export.h"
#include "trainer/train/calibration.h"
#include "trainer/train/evaluate.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;

// Every example whose whole window lies in rows where every feature is defined.
std::vector<std::uint32_t> usable_examples(const DataSet& data, std::size_t window) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < data.examples.size(); ++i) {
    if (data.examples[i].end_row + 1 >= kModelFeatureWarmup + window) out.push_back(i);
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

// The baselines of `head` scored on `set`.
void score_baselines(const fs::path& export_dir, const char* head, const TabularSet& set,
                     const std::vector<float>& labels, int threads, HeadScores& out) {
  const MatrixView x{.values = set.features, .rows = set.rows, .cols = kTabularFeatureCount};
  const fs::path dir = export_dir / "baselines";
  const fs::path logistic_file = dir / fmt::format("{}.logistic.json", head);
  const LogisticModel logistic = logistic_model_from_json(
      nlohmann::json::parse(read_export_file(logistic_file), nullptr, /*allow_exceptions=*/false),
      logistic_file.string());
  const BoostedTrees trees =
      BoostedTrees::from_json(read_export_file(dir / fmt::format("{}.xgboost.json", head)), kTabularFeatureCount,
                              threads);
  out.logistic = binary_metrics(logistic.predict(x), labels);
  out.xgboost = binary_metrics(trees.predict(x), labels);
}

}  // namespace

ExportScores score_export(const fs::path& export_dir, const fs::path& data_dir, int threads) {
  torch::set_num_threads(threads);
  const ExportMetadata metadata = export_metadata_from_json(
      nlohmann::json::parse(read_export_file(export_dir / kExportMetadataFile)),
      (export_dir / kExportMetadataFile).string());
  const Scalers scalers = scalers_from_json(nlohmann::json::parse(read_export_file(export_dir / kExportScalersFile)));
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
  const ExportCalibration calibration = metadata.calibration.value_or(ExportCalibration{});
  ExportScores scores{.tokens = static_cast<std::int64_t>(data.series.size()),
                      .examples = static_cast<std::int64_t>(examples.size())};
  scores.profitable.model =
      binary_metrics(with_temperature(p.profitable, calibration.profitable_temperature), p.profitable_y);
  scores.rug.model = binary_metrics(with_temperature(p.rug, calibration.rug_temperature), p.rug_y);
  const TabularSet set = tabular_set(data, examples, window);
  score_baselines(export_dir, "profitable", set, set.profitable, threads, scores.profitable);
  score_baselines(export_dir, "rug", set, set.rug, threads, scores.rug);
  return scores;
}

namespace {

nlohmann::json to_json(const HeadScores& head) {
  return {{"model", to_json(head.model)}, {"logistic", to_json(head.logistic)}, {"xgboost", to_json(head.xgboost)}};
}

}  // namespace

nlohmann::json to_json(const ExportScores& scores) {
  return {{"tokens", scores.tokens},
          {"examples", scores.examples},
          {"profitable", to_json(scores.profitable)},
          {"rug", to_json(scores.rug)}};
}

}  // namespace snipe::trainer
