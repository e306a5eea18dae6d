// score_export on the shim tests' trained export: what it counts, that the model is
// scored as the shim serves it (blended, calibrated), that the baselines come from the
// export, what the predictions CSV holds, and that an export without baselines is refused
// naming the file.

#include "trainer/export/score_export.h"

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "shared/core/model_error.h"
#include "shared/features/model_features.h"
#include "shared/features/served_probability.h"
#include "shared/store/export_format.h"
#include "tests/shim/trained_export.h"
#include "tests/support/temp_dir.h"
#include "trainer/data/data_set.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using snipe::testing::trained_export;

// The fixture's export in `dir`, each head served at the given temperature by the blend
// `weights` (default: the model alone).
void copy_export(const fs::path& dir, double profitable_temperature, double rug_temperature,
                 const BlendWeights& weights = {}) {
  fs::copy(trained_export().export_dir, dir, fs::copy_options::recursive);
  nlohmann::json metadata = nlohmann::json::parse(read_file(dir / kExportMetadataFile));
  metadata["serving"]["profitable"]["temperature"] = profitable_temperature;
  metadata["serving"]["rug"]["temperature"] = rug_temperature;
  for (const char* head : {"profitable", "rug"}) {
    metadata["serving"][head]["weights"] = {
        {"model", weights.model}, {"trees", weights.trees}, {"logistic", weights.logistic}};
  }
  write_file_atomically(dir / kExportMetadataFile, metadata.dump());
}

TEST(ScoreExport, ScoresEveryUsableExampleOfEveryToken) {
  const auto& fixture = trained_export();
  const DataSet data = load_data_set(fixture.data_dir);
  std::int64_t usable = 0;
  for (const Example& e : data.examples) usable += e.end_row + 1 >= kModelFeatureWarmup + fixture.window;
  const ExportScores scores = score_export(fixture.export_dir, fixture.data_dir, 1);
  EXPECT_EQ(scores.tokens, static_cast<std::int64_t>(data.series.size()));
  EXPECT_EQ(scores.examples, usable);
  for (const HeadScores* head : {&scores.profitable, &scores.rug}) {
    EXPECT_EQ(head->model.positives + head->model.negatives, usable);
    EXPECT_EQ(head->xgboost.positives, head->model.positives) << "the same examples for every scorer";
  }
  const ExportScores thirds = score_export(fixture.export_dir, fixture.data_dir, 1, /*every=*/3);
  std::int64_t ending_on_thirds = 0;
  for (const Example& e : data.examples) {
    ending_on_thirds += e.end_row + 1 >= kModelFeatureWarmup + fixture.window && e.end_row % 3 == 0;
  }
  EXPECT_EQ(thirds.examples, ending_on_thirds);
  for (const ScoredExample& row : thirds.rows) EXPECT_EQ(row.end_row % 3, 0u) << row.token;
  // The baselines saw 60% of these tokens in training: they rank them better than chance.
  EXPECT_GT(scores.profitable.xgboost.roc_auc, 0.6);
  EXPECT_GT(scores.profitable.logistic.roc_auc, 0.55);
}

TEST(ScoreExport, ScoresTheModelAsTheShimServesItCalibrated) {
  testing::TempDir root;
  copy_export(root / "plain", 1.0, 1.0);
  copy_export(root / "hot", 3.0, 0.3);
  const ExportScores plain = score_export(root / "plain", trained_export().data_dir, 1);
  const ExportScores hot = score_export(root / "hot", trained_export().data_dir, 1);
  // A temperature keeps the order of the scores (ROC-AUC, up to float ties) and changes
  // the probabilities (Brier).
  EXPECT_NEAR(hot.profitable.model.roc_auc, plain.profitable.model.roc_auc, 1e-3);
  EXPECT_NE(hot.profitable.model.brier, plain.profitable.model.brier);
  EXPECT_NE(hot.rug.model.brier, plain.rug.model.brier);
  EXPECT_EQ(hot.rug.xgboost.brier, plain.rug.xgboost.brier) << "the baselines are not calibrated";
  EXPECT_EQ(hot.rug.sequence.brier, plain.rug.sequence.brier) << "the sequence model alone is as it came";
}

TEST(ScoreExport, AHeadServedByOneBaselineAloneScoresAsThatBaseline) {
  testing::TempDir root;
  copy_export(root / "trees", 1.0, 1.0, {.model = 0.0, .trees = 1.0, .logistic = 0.0});
  copy_export(root / "logistic", 1.0, 1.0, {.model = 0.0, .trees = 0.0, .logistic = 1.0});
  const ExportScores trees = score_export(root / "trees", trained_export().data_dir, 1);
  const ExportScores logistic = score_export(root / "logistic", trained_export().data_dir, 1);
  for (const HeadScores* head : {&trees.profitable, &trees.rug}) {
    EXPECT_NEAR(head->model.roc_auc, head->xgboost.roc_auc, 1e-3);
    EXPECT_NEAR(head->model.brier, head->xgboost.brier, 1e-5);
  }
  for (const HeadScores* head : {&logistic.profitable, &logistic.rug}) {
    EXPECT_NEAR(head->model.roc_auc, head->logistic.roc_auc, 1e-3);
    EXPECT_NEAR(head->model.brier, head->logistic.brier, 1e-5);
  }
}

// The CSV's columns, by header name, as numbers (the token column skipped).
std::map<std::string, std::vector<float>> csv_columns(const std::string& csv) {
  std::istringstream in(csv);
  std::string line, cell;
  std::getline(in, line);
  std::vector<std::string> names;
  for (std::istringstream header(line); std::getline(header, cell, ',');) names.push_back(cell);
  std::map<std::string, std::vector<float>> columns;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    for (std::size_t k = 0; std::getline(row, cell, ','); ++k) {
      if (k > 0) columns[names.at(k)].push_back(std::stof(cell));
    }
  }
  return columns;
}

TEST(ScoreExport, ThePredictionsCsvHoldsWhatEachScoreWasComputedFrom) {
  testing::TempDir root;
  copy_export(root / "blend", 1.0, 2.0, {.model = 0.4, .trees = 0.3, .logistic = 0.3});
  const ExportScores scores = score_export(root / "blend", trained_export().data_dir, 1);
  auto columns = csv_columns(predictions_csv(scores));
  ASSERT_EQ(columns["rug"].size(), static_cast<std::size_t>(scores.examples));
  const auto auc = [&](const char* column, const char* labels) {
    return binary_metrics(columns[column], columns[labels]).roc_auc;
  };
  EXPECT_NEAR(auc("rug_served", "rug"), scores.rug.model.roc_auc, 1e-3);
  EXPECT_NEAR(auc("rug_sequence", "rug"), scores.rug.sequence.roc_auc, 1e-3);
  EXPECT_NEAR(auc("profitable_logistic", "profitable"), scores.profitable.logistic.roc_auc, 1e-3);
  EXPECT_NEAR(auc("profitable_xgboost", "profitable"), scores.profitable.xgboost.roc_auc, 1e-3);
  // Served = sigmoid((0.4 logit(seq) + 0.3 logit(trees) + 0.3 logit(logistic)) / 2) on rug.
  for (std::size_t i = 0; i < columns["rug"].size(); i += 97) {
    EXPECT_NEAR(columns["rug_served"][i],
                served_probability(columns["rug_sequence"][i], columns["rug_xgboost"][i], columns["rug_logistic"][i],
                                   {.model = 0.4, .trees = 0.3, .logistic = 0.3}, 2.0),
                2e-5)
        << i;
  }
}

TEST(ScoreExport, AnExportWithoutBaselinesIsRefusedNamingTheFile) {
  testing::TempDir root;
  copy_export(root / "old", 1.0, 1.0);
  fs::remove_all(root / "old" / "baselines");
  try {
    score_export(root / "old", trained_export().data_dir, 1);
    FAIL() << "accepted";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("profitable.logistic.json: missing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("snipe train"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snipe::trainer
