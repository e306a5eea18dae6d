// report.json as a struct: it reads back whole (undefined metrics included), and a file
// with a missing or mistyped field is refused naming the file and the field.

#include "trainer/train/training_report.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "shared/core/errors.h"

namespace snipe::trainer {
namespace {

using json = nlohmann::json;

TrainingReport some_report() {
  TrainingReport r{.best_epoch = 3, .epochs_completed = 5, .steps = 40, .ranks = 2,
                   .examples = {.train = 300, .val = 60, .test = 70}};
  r.val.split = "val";
  r.val.epoch = 3;
  r.val.step = 24;
  r.val.profitable = {.positives = 20, .negatives = 40, .roc_auc = 0.75, .pr_auc = 0.5, .brier = 0.2,
                      .at_0_5 = {.threshold = 0.5, .accuracy = 0.7, .precision = 0.6, .recall = 0.4, .f1 = 0.48},
                      .best_f1 = {.threshold = 0.375, .accuracy = 0.65, .precision = 0.55, .recall = 0.7, .f1 = 0.62}};
  r.val.max_profit = {.count = 60, .mae = 0.125, .rmse = 0.25};
  r.test = r.val;
  r.test.split = "test";
  r.test.rug = {.positives = 0, .negatives = 70, .brier = 0.01};  // one class: no ROC or PR area
  r.selection = "mean_auc";
  r.selection_score = 0.7;
  BinaryMetrics baseline = r.val.profitable;
  baseline.roc_auc = 0.8;
  r.baselines.profitable.results = {{.name = "logistic", .val = r.val.profitable, .test = r.test.profitable},
                                    {.name = "xgboost", .val = baseline, .test = baseline}};
  r.baselines.rug.results = {{.name = "logistic", .val = baseline, .test = r.test.rug}};
  r.profitable_serving = {.weights = {.model = 0.7, .trees = 0.2, .logistic = 0.1},
                          .temperature = 1.25,
                          .blend_val_auc = 0.76,
                          .tolerance = 0.031,
                          .sequence_val_auc = 0.7,
                          .val = {.ece_raw = 0.1, .ece = 0.05,
                                  .table = {{.lower = 0, .upper = 0.5, .count = 3, .mean_predicted = 0.2,
                                             .observed_rate = 1.0 / 3}}},
                          .test = {.ece_raw = 0.2, .ece = 0.15}};
  r.rug_serving.temperature = 0.8;
  return r;
}

TEST(TrainingReport, ReadsBackWhatWasWritten) {
  const TrainingReport written = some_report();
  const json text = json::parse(to_json(written).dump(2));
  const TrainingReport read = training_report_from_json(text, "report.json");
  EXPECT_EQ(to_json(read), to_json(written));
  EXPECT_EQ(read.best_epoch, 3);
  EXPECT_EQ(read.ranks, 2);
  EXPECT_EQ(read.examples.test, 70);
  EXPECT_EQ(read.test.split, "test");
  EXPECT_EQ(read.val.profitable.best_f1.threshold, 0.375);
  EXPECT_EQ(read.val.max_profit.rmse, 0.25);
  EXPECT_TRUE(text["test"]["rug"]["roc_auc"].is_null()) << "an undefined metric is written as null";
  EXPECT_TRUE(std::isnan(read.test.rug.roc_auc)) << "and reads back as NaN";
  EXPECT_EQ(read.selection, "mean_auc");
  EXPECT_EQ(read.baselines.profitable.best().name, "xgboost");
  EXPECT_EQ(read.profitable_serving.val.table.at(0).count, 3);
  EXPECT_EQ(read.profitable_serving.weights, (BlendWeights{.model = 0.7, .trees = 0.2, .logistic = 0.1}));
  EXPECT_EQ(read.profitable_serving.blend_val_auc, 0.76);
  EXPECT_EQ(read.profitable_serving.tolerance, 0.031);
  EXPECT_EQ(read.profitable_serving.sequence_val_auc, 0.7);
  EXPECT_TRUE(std::isnan(read.profitable_serving.sequence_test_auc));
  EXPECT_EQ(read.rug_serving.temperature, 0.8);
}

TEST(TrainingReport, ComparesEachHeadWithItsBestBaselineOnValAndTest) {
  const json written = to_json(some_report());
  const json& profitable = written["comparison"]["profitable"];
  EXPECT_EQ(profitable["best_baseline"], "xgboost");  // 0.8 on val beats logistic's 0.75
  EXPECT_DOUBLE_EQ(profitable["val"]["served"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(profitable["val"]["baseline"].get<double>(), 0.8);
  EXPECT_NEAR(profitable["val"]["margin"].get<double>(), -0.05, 1e-12);
  EXPECT_TRUE(written["comparison"]["rug"]["test"]["margin"].is_null()) << "the test rug AUC is undefined";
}

TEST(TrainingReport, KeepsTheKeysOfReportJson) {
  const json written = to_json(some_report());
  for (const char* key : {"best_epoch", "epochs_completed", "steps", "ranks", "examples", "val", "test", "selection",
                          "baselines", "comparison", "serving"}) {
    EXPECT_TRUE(written.contains(key)) << key;
  }
  EXPECT_EQ(written["examples"], (json{{"train", 300}, {"val", 60}, {"test", 70}}));
  EXPECT_EQ(written["test"]["profitable"]["roc_auc"], 0.75);
}

std::string refusal(const json& report) {
  try {
    training_report_from_json(report, "/runs/a/report.json");
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "the report was accepted";
  return {};
}

TEST(TrainingReport, AMissingOrMistypedFieldIsRefusedNamingTheFileAndTheField) {
  json report = to_json(some_report());
  report["test"]["profitable"].erase("pr_auc");
  std::string message = refusal(report);
  EXPECT_NE(message.find("/runs/a/report.json: field /test/profitable/pr_auc is missing"), std::string::npos)
      << message;
  report = to_json(some_report());
  report["examples"]["val"] = 60.5;
  message = refusal(report);
  EXPECT_NE(message.find("field /examples/val must be an integer, is 60.5"), std::string::npos) << message;
  report = to_json(some_report());
  report["val"]["max_profit"]["mae"] = "0.1";
  message = refusal(report);
  EXPECT_NE(message.find("field /val/max_profit/mae must be a number or null"), std::string::npos) << message;
}

}  // namespace
}  // namespace snipe::trainer
