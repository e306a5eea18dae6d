// Epoch selection on every head, and calibration: ECE and reliability tables against
// their definitions, and a fitted temperature that undoes a known distortion.

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "shared/core/errors.h"
#include "shared/features/temperature.h"
#include "trainer/train/calibration.h"
#include "trainer/train/selection.h"

namespace snipe::trainer {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

MetricsRecord val_with(double profitable_auc, double rug_auc) {
  MetricsRecord r;
  r.profitable.roc_auc = profitable_auc;
  r.rug.roc_auc = rug_auc;
  return r;
}

TEST(Selection, EachCriterionReadsItsHeads) {
  const MetricsRecord val = val_with(0.8, 0.6);
  EXPECT_DOUBLE_EQ(selection_score({.criterion = Selection::kMeanAuc}, val), 0.7);
  EXPECT_DOUBLE_EQ(selection_score({.criterion = Selection::kProfitableAuc}, val), 0.8);
  EXPECT_DOUBLE_EQ(selection_score({.criterion = Selection::kRugAuc}, val), 0.6);
  EXPECT_DOUBLE_EQ(selection_score({.criterion = Selection::kWeightedAuc, .rug_weight = 0.75}, val),
                   0.25 * 0.8 + 0.75 * 0.6);
}

TEST(Selection, AnUndefinedHeadDropsOutOfTheMean) {
  EXPECT_DOUBLE_EQ(selection_score({}, val_with(kNaN, 0.6)), 0.6);
  EXPECT_DOUBLE_EQ(selection_score({.criterion = Selection::kWeightedAuc, .rug_weight = 0.2}, val_with(0.7, kNaN)),
                   0.7);
  EXPECT_TRUE(std::isnan(selection_score({}, val_with(kNaN, kNaN))));
  EXPECT_TRUE(std::isnan(selection_score({.criterion = Selection::kRugAuc}, val_with(0.9, kNaN))));
}

TEST(Selection, NamesRoundTripAndAnUnknownOneListsTheValidOnes) {
  for (const Selection s : {Selection::kMeanAuc, Selection::kProfitableAuc, Selection::kRugAuc,
                            Selection::kWeightedAuc}) {
    EXPECT_EQ(parse_selection(selection_name(s)), s);
  }
  try {
    parse_selection("f1");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("mean_auc, profitable_auc, rug_auc or weighted_auc"), std::string::npos);
  }
  EXPECT_THROW(validate_options(SelectionOptions{.rug_weight = 1.5}, "test.toml"), ConfigError);
  EXPECT_NO_THROW(validate_options(SelectionOptions{.rug_weight = 1.0}, "test.toml"));
}

TEST(Calibration, ReliabilityTableAndEceFollowTheirDefinitions) {
  // Bin [0.1, 0.2): 0.1, 0.15 with labels 0, 1; bin [0.9, 1.0]: 1.0 with label 1.
  const std::vector<float> p = {0.1f, 0.15f, 1.0f}, y = {0, 1, 1};
  const auto table = reliability_table(p, y, 10);
  ASSERT_EQ(table.size(), 10u);
  EXPECT_EQ(table[1].count, 2);
  EXPECT_NEAR(table[1].mean_predicted, 0.125, 1e-7);
  EXPECT_NEAR(table[1].observed_rate, 0.5, 1e-12);
  EXPECT_EQ(table[9].count, 1);  // 1.0 falls in the last bin
  EXPECT_EQ(table[0].count + table[2].count + table[8].count, 0);
  EXPECT_NEAR(expected_calibration_error(table), (2.0 * 0.375 + 1.0 * 0.0) / 3.0, 1e-7);
  EXPECT_TRUE(std::isnan(expected_calibration_error(reliability_table({}, {}, 10))));
}

// Labels drawn from q = sigmoid(z); the model reports sigmoid(3 z), over-confident by a
// temperature of 3, which the fit must recover and calibration must repair.
TEST(Calibration, FittedTemperatureUndoesAKnownOverconfidence) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  std::vector<float> p, y;
  for (int i = 0; i < 20000; ++i) {
    const double z = normal(rng);
    y.push_back(uniform(rng) < 1.0 / (1.0 + std::exp(-z)) ? 1.0f : 0.0f);
    p.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-3.0 * z))));
  }
  const double t = fit_temperature(p, y);
  EXPECT_NEAR(t, 3.0, 0.2);
  const SplitCalibration c = calibrate_split(p, y, t);
  EXPECT_GT(c.ece_raw, 0.08);
  EXPECT_LT(c.ece, 0.02);
  EXPECT_LT(c.ece, c.ece_raw / 4);
}

TEST(Calibration, OneClassKeepsTheTemperatureAtOne) {
  EXPECT_EQ(fit_temperature(std::vector<float>{0.2f, 0.7f}, std::vector<float>{0, 0}), 1.0);
  EXPECT_EQ(fit_temperature({}, {}), 1.0);
}

TEST(Temperature, KeepsTheOrderAndMovesTowardOrAwayFromOneHalf) {
  EXPECT_NEAR(temperature_scaled(0.5, 3.0), 0.5, 1e-12);
  EXPECT_LT(temperature_scaled(0.9, 2.0), 0.9);
  EXPECT_GT(temperature_scaled(0.9, 2.0), 0.5);
  EXPECT_GT(temperature_scaled(0.9, 0.5), 0.9);
  EXPECT_LT(temperature_scaled(0.2, 2.0), temperature_scaled(0.3, 2.0));
  EXPECT_NEAR(temperature_scaled(0.8, 1.0), 0.8, 1e-12);
  EXPECT_TRUE(std::isfinite(temperature_scaled(0.0, 0.1)));
}

}  // namespace
}  // namespace snipe::trainer
