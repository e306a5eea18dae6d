// Epoch selection on every head, and calibration: ECE and reliability tables against
// their definitions, and a fitted temperature that undoes a known distortion.

#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "shared/core/errors.h"
#include "shared/features/served_probability.h"
#include "trainer/train/calibration.h"
#include "trainer/train/selection.h"
#include "trainer/train/serving.h"

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

// Labels, a scorer that knows them well (noise 0.5) and one that barely does (noise 3).
struct TwoScorers {
  std::vector<float> labels, good, poor;
};

TwoScorers two_scorers(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  TwoScorers s;
  for (int i = 0; i < n; ++i) {
    const float y = i % 4 == 0 ? 1.0f : 0.0f;
    const double signal = y > 0 ? 1.0 : -1.0;
    s.labels.push_back(y);
    s.good.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-(signal + 0.5 * normal(rng))))));
    s.poor.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-(0.2 * signal + 3.0 * normal(rng))))));
  }
  return s;
}

// A scorer of `labels` with noise of sd `noise` of its own.
std::vector<float> scorer(std::span<const float> labels, double noise, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<float> out;
  for (const float y : labels) {
    const double signal = y > 0 ? 1.0 : -1.0;
    out.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-(signal + noise * normal(rng))))));
  }
  return out;
}

double auc(std::span<const float> scores, std::span<const float> labels) {
  return binary_metrics(scores, labels).roc_auc;
}

TEST(Serving, TheGridHasEveryShareInTenthsOfThePartsGiven) {
  const std::vector<float> x(4, 0.5f);
  EXPECT_EQ(blend_grid({.model = x, .trees = x, .logistic = x, .labels = x}).size(), 66u);
  EXPECT_EQ(blend_grid({.model = x, .trees = x, .labels = x}).size(), 11u);
  EXPECT_EQ(blend_grid({.model = x, .labels = x}).size(), 1u);
  for (const BlendWeights& w : blend_grid({.model = x, .trees = x, .logistic = x, .labels = x})) {
    EXPECT_NEAR(w.model + w.trees + w.logistic, 1.0, 1e-12);
    EXPECT_GE(std::min({w.model, w.trees, w.logistic}), 0.0);
  }
}

TEST(Serving, AModelABaselineBeatsOnValIsServedMostlyByTheBaseline) {
  const TwoScorers val = two_scorers(2000, 1), test = two_scorers(2000, 2);
  const HeadServing s = choose_serving({.model = val.poor, .trees = val.good, .labels = val.labels},
                                       {.model = test.poor, .trees = test.good, .labels = test.labels});
  EXPECT_LE(s.weights.model, 0.2);
  EXPECT_EQ(s.weights.logistic, 0.0) << "no logistic regression given";
  EXPECT_LT(s.sequence_val_auc, 0.7);
  const double served_auc =
      auc(served({.model = test.poor, .trees = test.good, .labels = test.labels}, s.weights, s.temperature),
          test.labels);
  EXPECT_GT(served_auc, auc(test.good, test.labels) - 0.01) << "as good as the trees on test";
  // The same with the logistic regression as the good one.
  const HeadServing l =
      choose_serving({.model = val.poor, .trees = val.poor, .logistic = val.good, .labels = val.labels},
                     {.model = test.poor, .trees = test.poor, .logistic = test.good, .labels = test.labels});
  EXPECT_GE(l.weights.logistic, 0.8);
}

TEST(Serving, AModelThatBeatsItsBaselinesKeepsMostOfTheShare) {
  const TwoScorers val = two_scorers(2000, 3), test = two_scorers(2000, 4);
  const HeadServing s =
      choose_serving({.model = val.good, .trees = val.poor, .logistic = val.poor, .labels = val.labels},
                     {.model = test.good, .trees = test.poor, .logistic = test.poor, .labels = test.labels});
  EXPECT_GE(s.weights.model, 0.8);
  // No baselines: the model alone, whatever its quality.
  EXPECT_EQ(choose_serving({.model = val.poor, .labels = val.labels}, {.model = test.poor, .labels = test.labels})
                .weights,
            (BlendWeights{1.0, 0.0, 0.0}));
}

TEST(Serving, EqualScorersAreBlendedEvenlyAndTheBlendBeatsEachOnTest) {
  const TwoScorers val = two_scorers(4000, 7), test = two_scorers(4000, 8);
  // Identical parts: every blend ranks alike, so the most even one is served.
  EXPECT_EQ(choose_serving({.model = val.good, .trees = val.good, .labels = val.labels},
                           {.model = test.good, .trees = test.good, .labels = test.labels})
                .weights,
            (BlendWeights{0.5, 0.5, 0.0}));
  // Three identical parts: the most even blends in tenths are the permutations of
  // (0.4, 0.3, 0.3); the one giving the model 0.4 is served.
  EXPECT_EQ(choose_serving({.model = val.good, .trees = val.good, .logistic = val.good, .labels = val.labels},
                           {.model = test.good, .trees = test.good, .logistic = test.good, .labels = test.labels})
                .weights,
            (BlendWeights{0.4, 0.3, 0.3}));
  // Three parts as good as each other (ROC-AUC ~0.83), each with noise of its own:
  // averaging cancels noise.
  std::vector<std::vector<float>> parts;  // val model, trees, logistic, then test's
  for (std::uint64_t k = 0; k < 6; ++k) parts.push_back(scorer(k < 3 ? val.labels : test.labels, 1.5, 9 + k));
  const HeadInputs v{.model = parts[0], .trees = parts[1], .logistic = parts[2], .labels = val.labels};
  const HeadInputs t{.model = parts[3], .trees = parts[4], .logistic = parts[5], .labels = test.labels};
  const HeadServing s = choose_serving(v, t);
  EXPECT_GE(std::min({s.weights.model, s.weights.trees, s.weights.logistic}), 0.2);
  const double served_auc = auc(served(t, s.weights, s.temperature), test.labels);
  EXPECT_GT(served_auc, std::max({auc(parts[3], test.labels), auc(parts[4], test.labels),
                                  auc(parts[5], test.labels)}) + 0.03);
  EXPECT_NEAR(s.blend_val_auc, auc(served(v, s.weights, 1.0), val.labels), 1e-12);
}

TEST(Serving, AValWithOneClassServesTheModelAlone) {
  TwoScorers val = two_scorers(400, 13);
  const TwoScorers test = two_scorers(400, 14);
  std::fill(val.labels.begin(), val.labels.end(), 0.0f);
  const HeadServing s =
      choose_serving({.model = val.poor, .trees = val.good, .logistic = val.good, .labels = val.labels},
                     {.model = test.poor, .trees = test.good, .logistic = test.good, .labels = test.labels});
  EXPECT_EQ(s.weights, (BlendWeights{1.0, 0.0, 0.0}));
  EXPECT_TRUE(std::isnan(s.blend_val_auc));
}

TEST(Serving, TheTemperatureIsFittedOnTheBlendItServes) {
  const TwoScorers val = two_scorers(4000, 5), test = two_scorers(4000, 6);
  const HeadServing s = choose_serving({.model = val.poor, .trees = val.good, .labels = val.labels},
                                       {.model = test.poor, .trees = test.good, .labels = test.labels});
  const std::vector<float> blend = served({.model = val.poor, .trees = val.good, .labels = val.labels}, s.weights, 1.0);
  EXPECT_DOUBLE_EQ(s.temperature, fit_temperature(blend, val.labels));
  EXPECT_LE(s.val.ece, s.val.ece_raw + 1e-9) << "the temperature minimises log loss, which here also lowers ECE";
}

// Hanley & McNeil (1982): the standard error of a ROC-AUC `a` from `p` positives and `n`
// negatives drawn independently.
double hanley_mcneil_se(double a, double p, double n) {
  const double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
  return std::sqrt((a * (1 - a) + (p - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (p * n));
}

TEST(TokenBootstrap, OnIndependentRowsMatchesHanleyMcNeil) {
  const TwoScorers s = two_scorers(4000, 21);
  const std::vector<float> scores = scorer(s.labels, 2.0, 22);
  const double a = auc(scores, s.labels);
  const double sd = token_bootstrap_sd(scores, s.labels, {}, kServingResamples);
  EXPECT_NEAR(sd, hanley_mcneil_se(a, 1000, 3000), 0.25 * hanley_mcneil_se(a, 1000, 3000)) << "AUC " << a;
  // Every row a token of its own is the same thing, whatever the ids.
  std::vector<std::uint32_t> ids(scores.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::uint32_t>(7 * i + 3);
  EXPECT_EQ(token_bootstrap_sd(scores, s.labels, ids, kServingResamples), sd) << "and deterministic";
  // A scorer that ranks every positive first has nothing to vary.
  EXPECT_EQ(token_bootstrap_sd(s.labels, s.labels, {}, kServingResamples), 0.0);
}

TEST(TokenBootstrap, FewTokensVaryMoreThanAsManyIndependentRows) {
  // 4000 windows; the 200 positives come from 4 tokens of 50 windows each, or from 200.
  std::vector<float> labels(4000, 0.0f);
  std::fill(labels.begin(), labels.begin() + 200, 1.0f);
  std::mt19937_64 rng(24);
  std::normal_distribution<double> normal;
  std::vector<float> scores(4000);
  std::vector<std::uint32_t> tokens(4000);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    tokens[i] = static_cast<std::uint32_t>(i / 50);  // tokens 0..3 hold the positives
    // Each token's windows share most of their noise, as a token's windows do.
    const double token_noise = std::sin(17.0 * tokens[i]) * 1.5;
    const double z = (labels[i] > 0 ? 1.0 : -1.0) + token_noise + 0.3 * normal(rng);
    scores[i] = static_cast<float>(1.0 / (1.0 + std::exp(-z)));
  }
  const double by_token = token_bootstrap_sd(scores, labels, tokens, kServingResamples);
  const double by_row = token_bootstrap_sd(scores, labels, {}, kServingResamples);
  EXPECT_GT(by_token, 3 * by_row) << "4 positive tokens are 4 observations, not 200";
  EXPECT_GT(by_token, 0.03);
}

// Scores of `labels`: signal +-1, plus `shared` [token] (what every part sees of a token:
// its windows are near-duplicates), plus noise of sd `noise` of this part's own.
std::vector<float> part_scorer(std::span<const float> labels, std::span<const std::uint32_t> tokens,
                               std::span<const double> shared, double noise, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<float> out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double z = (labels[i] > 0 ? 1.0 : -1.0) + shared[tokens[i]] + noise * normal(rng);
    out.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-z))));
  }
  return out;
}

// Val of `tokens` tokens of 3000 / tokens windows each, the first `positive_tokens` of
// them positive, and the token of each window.
struct TokenVal {
  std::vector<float> labels;
  std::vector<std::uint32_t> tokens;
  std::vector<double> shared;  // [token] ~ N(0, 1)
};

TokenVal token_val(std::size_t tokens, std::size_t positive_tokens, std::uint64_t seed) {
  const std::size_t n = 3000, per_token = n / tokens;
  TokenVal v;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  for (std::size_t i = 0; i < n; ++i) {
    v.tokens.push_back(static_cast<std::uint32_t>(i / per_token));
    v.labels.push_back(i / per_token < positive_tokens ? 1.0f : 0.0f);
  }
  for (std::size_t t = 0; t < tokens; ++t) v.shared.push_back(normal(rng));
  return v;
}

// The serving chosen on `v` (as val and test) for a model, trees and logistic regression
// with own noise of sd `noise[0..2]`.
HeadServing serving_of(const TokenVal& v, const std::array<double, 3>& noise, std::uint64_t seed) {
  const std::vector<float> model = part_scorer(v.labels, v.tokens, v.shared, noise[0], seed + 1),
                           trees = part_scorer(v.labels, v.tokens, v.shared, noise[1], seed + 2),
                           logistic = part_scorer(v.labels, v.tokens, v.shared, noise[2], seed + 3);
  const HeadInputs in{.model = model, .trees = trees, .logistic = logistic, .labels = v.labels, .tokens = v.tokens};
  return choose_serving(in, in);
}

TEST(Serving, AValLeadWithinItsNoiseServesTheEvenBlend) {
  for (const std::uint64_t seed : {30, 40, 50}) {
    // 300 tokens of 10 windows, 5 of them positive; three equally good parts, one of
    // which val ranks first by chance.
    const HeadServing s = serving_of(token_val(300, 5, seed), {1.0, 1.0, 1.0}, seed);
    EXPECT_GT(s.tolerance, 0.02) << "5 positive tokens measure little; seed " << seed;
    EXPECT_EQ(s.weights, (BlendWeights{0.4, 0.3, 0.3})) << "seed " << seed;
  }
}

TEST(Serving, AValLeadBeyondItsNoiseServesMostlyTheLeader) {
  for (const std::uint64_t seed : {60, 70, 80}) {
    // 1000 tokens of 3 windows, 250 of them positive; the trees have less noise.
    const HeadServing s = serving_of(token_val(1000, 250, seed), {1.5, 0.5, 1.5}, seed);
    EXPECT_LT(s.tolerance, 0.02) << "seed " << seed;
    EXPECT_GE(s.weights.trees, 0.5) << "seed " << seed;
    EXPECT_GT(s.weights.trees, std::max(s.weights.model, s.weights.logistic)) << "seed " << seed;
  }
}

TEST(Serving, ServedProbabilityReadsOnlyThePartsWithAShare) {
  EXPECT_NEAR(served_probability(0.8, 0.0, 1.0, {1.0, 0.0, 0.0}, 1.0), 0.8, 1e-12);
  EXPECT_NEAR(served_probability(0.0, 0.3, 0.0, {0.0, 1.0, 0.0}, 1.0), 0.3, 1e-12);
  // Equal shares of logits 1, 2 and 3 give logit 2; T = 2 halves it.
  const auto sigmoid = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  const BlendWeights even{1.0 / 3, 1.0 / 3, 1.0 / 3};
  EXPECT_NEAR(served_probability(sigmoid(1.0), sigmoid(2.0), sigmoid(3.0), even, 1.0), sigmoid(2.0), 1e-9);
  EXPECT_NEAR(served_probability(sigmoid(1.0), sigmoid(2.0), sigmoid(3.0), even, 2.0), sigmoid(1.0), 1e-9);
}

}  // namespace
}  // namespace snipe::trainer
