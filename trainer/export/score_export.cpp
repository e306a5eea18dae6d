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
#include "shared/models/logistic_model.h"
#include "trainer/baselines/tabular_set.h"
#include "trainer/export/export.h"
#include "trainer/train/serving.h"
#include "trainer/train/evaluate.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;

// Every example whose window is usable (data_set.h) and ends on a multiple of `every`, in
// data set order.
std::vector<std::uint32_t> usable_examples(const DataSet& data, std::size_t window, int every) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < data.examples.size(); ++i) {
    const Example& e = data.examples[i];
    if (usable(e, window) && e.end_row % static_cast<std::uint32_t>(every) == 0) out.push_back(i);
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

// The baselines of `head` on `set`, into p.logistic and p.xgboost.
void predict_baselines(const fs::path& export_dir, const char* head, const TabularSet& set, int threads,
                       HeadProbabilities& p) {
  const MatrixView x{.values = set.features, .rows = set.rows, .cols = kTabularFeatureCount};
  const fs::path logistic_file = export_dir / baseline_file(head, "logistic");
  const LogisticModel logistic =
      logistic_model_from_json(read_export_json(logistic_file), logistic_file.string(), kTabularFeatureCount);
  const BoostedTrees trees =
      BoostedTrees::from_json(read_export_file(export_dir / baseline_file(head, "xgboost")), kTabularFeatureCount,
                              threads);
  p.logistic = logistic.predict(x);
  p.xgboost = trees.predict(x);
}

// The head as served, from the sequence model's and the baselines' probabilities.
void predict_served(const ExportHeadServing& serving, HeadProbabilities& p) {
  p.model = served({.model = p.sequence, .trees = p.xgboost, .logistic = p.logistic, .labels = p.labels},
                   serving.weights, serving.temperature);
}

HeadScores score(const HeadProbabilities& p) {
  return {.model = binary_metrics(p.model, p.labels),
          .sequence = binary_metrics(p.sequence, p.labels),
          .logistic = binary_metrics(p.logistic, p.labels),
          .xgboost = binary_metrics(p.xgboost, p.labels)};
}

}  // namespace

ExportScores score_export(const fs::path& export_dir, const fs::path& data_dir, int threads, int every) {
  torch::set_num_threads(threads);
  const ExportMetadata metadata =
      export_metadata_from_json(read_export_json(export_dir / kExportMetadataFile), (export_dir / kExportMetadataFile).string());
  const Scalers scalers = scalers_from_json(read_export_json(export_dir / kExportScalersFile));
  const auto window = static_cast<std::size_t>(metadata.window);
  const DataSet data = load_data_set(data_dir);
  const std::vector<std::uint32_t> examples = usable_examples(data, window, every);
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
  scores.profitable_p = {.sequence = std::move(p.profitable), .labels = std::move(p.profitable_y)};
  scores.rug_p = {.sequence = std::move(p.rug), .labels = std::move(p.rug_y)};
  predict_baselines(export_dir, "profitable", set, threads, scores.profitable_p);
  predict_baselines(export_dir, "rug", set, threads, scores.rug_p);
  predict_served(serving.profitable, scores.profitable_p);
  predict_served(serving.rug, scores.rug_p);
  scores.profitable = score(scores.profitable_p);
  scores.rug = score(scores.rug_p);
  scores.rows.reserve(p.examples.size());
  for (const std::uint32_t i : p.examples) {  // the order every probability above is in
    const Example& e = data.examples[i];
    scores.rows.push_back({.token = data.series[e.series].token, .end_row = e.end_row});
  }
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

std::string predictions_csv(const ExportScores& s) {
  std::string out =
      "token,end_row,profitable,rug,profitable_served,profitable_sequence,profitable_logistic,profitable_xgboost,"
      "rug_served,rug_sequence,rug_logistic,rug_xgboost\n";
  const HeadProbabilities& p = s.profitable_p;
  const HeadProbabilities& r = s.rug_p;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    out += fmt::format("{},{},{:g},{:g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", s.rows[i].token,
                       s.rows[i].end_row, p.labels[i], r.labels[i], p.model[i], p.sequence[i], p.logistic[i],
                       p.xgboost[i], r.model[i], r.sequence[i], r.logistic[i], r.xgboost[i]);
  }
  return out;
}

nlohmann::json to_json(const ExportScores& scores) {
  return {{"tokens", scores.tokens},
          {"examples", scores.examples},
          {"profitable", to_json(scores.profitable)},
          {"rug", to_json(scores.rug)}};
}

}  // namespace snipe::trainer
