// score_export on the shim tests' trained export: what it counts, that the model is
// scored as the shim serves it (calibrated), that the baselines come from the export, and
// that an export without them is refused naming the file.

#include "trainer/export/score_export.h"

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "shared/core/model_error.h"
#include "shared/features/model_features.h"
#include "shared/store/export_format.h"
#include "tests/shim/trained_export.h"
#include "tests/support/temp_dir.h"
#include "trainer/data/data_set.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using snipe::testing::trained_export;

// The fixture's export in `dir`, each head served by the model alone at the given
// temperature, or (`model_weight` < 1) blended with its trees.
void copy_export(const fs::path& dir, double profitable_temperature, double rug_temperature,
                 double model_weight = 1.0) {
  fs::copy(trained_export().export_dir, dir, fs::copy_options::recursive);
  nlohmann::json metadata = nlohmann::json::parse(read_file(dir / kExportMetadataFile));
  metadata["serving"]["profitable"]["temperature"] = profitable_temperature;
  metadata["serving"]["rug"]["temperature"] = rug_temperature;
  metadata["serving"]["profitable"]["model_weight"] = model_weight;
  metadata["serving"]["rug"]["model_weight"] = model_weight;
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

TEST(ScoreExport, AHeadServedByItsTreesAloneScoresAsTheTrees) {
  testing::TempDir root;
  copy_export(root / "trees", 1.0, 1.0, /*model_weight=*/0.0);
  const ExportScores scores = score_export(root / "trees", trained_export().data_dir, 1);
  for (const HeadScores* head : {&scores.profitable, &scores.rug}) {
    EXPECT_NEAR(head->model.roc_auc, head->xgboost.roc_auc, 1e-3);
    EXPECT_NEAR(head->model.brier, head->xgboost.brier, 1e-5);
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
