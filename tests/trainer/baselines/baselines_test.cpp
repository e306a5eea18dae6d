// The baselines on problems whose answer is known: a linear signal (both find it), an
// interaction (only the trees can), labels of one class, the trees' JSON round trip, and
// the report's choice of the best baseline.

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "trainer/baselines/baseline_report.h"
#include "shared/models/boosted_trees.h"
#include "trainer/baselines/logistic_fit.h"
#include "trainer/train/metrics.h"

namespace snipe::trainer {
namespace {

// Rows of `cols` standard normal features; labels from `rule` of the row.
struct Problem {
  std::vector<float> x;
  std::vector<float> y;
  std::size_t rows = 0, cols = 0;
  MatrixView view() const { return {.values = x, .rows = rows, .cols = cols}; }
};

template <class Rule>
Problem problem(std::size_t rows, std::size_t cols, std::uint64_t seed, Rule rule) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  Problem p{.rows = rows, .cols = cols};
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<float> row(cols);
    for (float& v : row) v = normal(rng);
    p.y.push_back(rule(row, normal(rng)) ? 1.0f : 0.0f);
    p.x.insert(p.x.end(), row.begin(), row.end());
  }
  return p;
}

const auto kLinear = [](const std::vector<float>& x, float noise) { return 2 * x[0] - x[1] + noise > 0; };
const auto kInteraction = [](const std::vector<float>& x, float noise) { return x[0] * x[1] + 0.2f * noise > 0; };

double auc(const std::vector<float>& scores, const std::vector<float>& labels) {
  return binary_metrics(scores, labels).roc_auc;
}

TEST(LogisticBaseline, FindsALinearSignalAndWeighsItsFeatures) {
  const Problem train = problem(3000, 5, 1, kLinear), test = problem(2000, 5, 2, kLinear);
  const LogisticModel model = fit_logistic(train.view(), train.y);
  EXPECT_GT(auc(model.predict(test.view()), test.y), 0.9);
  EXPECT_GT(model.weights[0], 0.0);
  EXPECT_LT(model.weights[1], 0.0);
  EXPECT_NEAR(model.weights[0] / -model.weights[1], 2.0, 0.4);  // the rule's 2 : -1
  for (std::size_t c = 2; c < 5; ++c) EXPECT_LT(std::abs(model.weights[c]), 0.2 * model.weights[0]) << c;
}

TEST(LogisticBaseline, OneClassPredictsThatClassesRate) {
  Problem train = problem(100, 3, 3, kLinear);
  std::fill(train.y.begin(), train.y.end(), 0.0f);
  const LogisticModel model = fit_logistic(train.view(), train.y);
  for (const float p : model.predict(train.view())) EXPECT_LT(p, 1e-5f);
}

TEST(LogisticBaseline, RefusesMismatchedSizes) {
  const Problem train = problem(10, 3, 4, kLinear);
  EXPECT_THROW(fit_logistic(train.view(), std::vector<float>(9, 0.0f)), std::invalid_argument);
  const LogisticModel model = fit_logistic(train.view(), train.y);
  EXPECT_THROW(model.predict({.values = train.x, .rows = 5, .cols = 6}), std::invalid_argument);
}

TEST(TreeBaseline, LearnsAnInteractionTheLinearModelCannot) {
  const Problem train = problem(4000, 4, 5, kInteraction), val = problem(1000, 4, 6, kInteraction),
                test = problem(2000, 4, 7, kInteraction);
  const BoostedTrees trees = BoostedTrees::fit(train.view(), train.y, val.view(), val.y, {.threads = 2});
  const LogisticModel linear = fit_logistic(train.view(), train.y);
  EXPECT_GT(auc(trees.predict(test.view()), test.y), 0.9);
  EXPECT_LT(auc(linear.predict(test.view()), test.y), 0.6);
  EXPECT_GE(trees.rounds(), 1);
  EXPECT_LE(trees.rounds(), TreeOptions{}.max_rounds);
}

TEST(TreeBaseline, StopsEarlyWhenValStopsImproving) {
  // Labels independent of the features: val AUC peaks early by chance and never for long.
  const auto noise = [](const std::vector<float>&, float n) { return n > 0; };
  const Problem train = problem(2000, 4, 8, noise), val = problem(1000, 4, 9, noise);
  const TreeOptions options{.max_rounds = 400, .early_stopping_rounds = 20};
  const BoostedTrees trees = BoostedTrees::fit(train.view(), train.y, val.view(), val.y, options);
  EXPECT_LT(trees.rounds(), 400 - 20);
}

TEST(TreeBaseline, JsonRoundTripPredictsTheSame) {
  const Problem train = problem(1500, 4, 10, kInteraction), val = problem(500, 4, 11, kInteraction);
  const BoostedTrees trees = BoostedTrees::fit(train.view(), train.y, val.view(), val.y, {});
  const BoostedTrees loaded = BoostedTrees::from_json(trees.to_json(), 4);
  EXPECT_EQ(loaded.rounds(), trees.rounds());
  EXPECT_EQ(loaded.predict(val.view()), trees.predict(val.view()));
  EXPECT_THROW(BoostedTrees::from_json(trees.to_json(), 5), std::runtime_error);
  EXPECT_THROW(BoostedTrees::from_json("{not json", 4), std::runtime_error);
}

TEST(TreeBaseline, SameSeedSameTrees) {
  const Problem train = problem(1500, 4, 12, kInteraction), val = problem(500, 4, 13, kInteraction);
  const TreeOptions options{.threads = 2, .seed = 7};
  EXPECT_EQ(BoostedTrees::fit(train.view(), train.y, val.view(), val.y, options).to_json(),
            BoostedTrees::fit(train.view(), train.y, val.view(), val.y, options).to_json());
}

BinaryMetrics with_auc(double auc) {
  BinaryMetrics m;
  m.roc_auc = auc;
  return m;
}

TEST(BaselineReport, BestIsTheHighestValAucAndUndefinedRanksLast) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  HeadBaselines head{.results = {{.name = "logistic", .val = with_auc(nan), .test = with_auc(0.9)},
                                 {.name = "xgboost", .val = with_auc(0.6), .test = with_auc(0.5)}}};
  EXPECT_EQ(head.best().name, "xgboost");
  head.results[0].val = with_auc(0.7);
  EXPECT_EQ(head.best().name, "logistic");
  const HeadComparison c = compare(with_auc(0.71), with_auc(0.65), head);
  EXPECT_EQ(c.best_baseline, "logistic");
  EXPECT_NEAR(c.margin_val(), 0.01, 1e-12);
  EXPECT_NEAR(c.margin_test(), -0.25, 1e-12);
  EXPECT_EQ(comparison_line("rug", c, "test"), "rug: served 0.650, best baseline (logistic) 0.900, -0.250");
}

TEST(BaselineReport, JsonRoundTripsAndNamesAMissingField) {
  const BaselineReport report{
      .profitable = {.results = {{.name = "logistic", .val = with_auc(0.6), .test = with_auc(0.61)},
                                 {.name = "xgboost", .val = with_auc(0.62), .test = with_auc(0.63)}}},
      .rug = {.results = {{.name = "xgboost", .val = with_auc(0.7), .test = with_auc(0.71)}}}};
  const nlohmann::json json = to_json(report);
  const BaselineReport back = baseline_report_from_json(JsonFields(json, "report.json", "HINT: retrain"));
  EXPECT_EQ(back.profitable.best().name, "xgboost");
  EXPECT_DOUBLE_EQ(back.profitable.best().test.roc_auc, 0.63);
  EXPECT_DOUBLE_EQ(back.rug.results.at(0).val.roc_auc, 0.7);
  nlohmann::json broken = json;
  broken["rug"]["xgboost"].erase("test");
  try {
    baseline_report_from_json(JsonFields(broken, "report.json", "HINT: retrain"));
    FAIL() << "a missing field was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/rug/xgboost/test"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snipe::trainer
