#include "trainer/train/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "shared/core/errors.h"

namespace snipe::trainer {
namespace {

using Floats = std::vector<float>;

TEST(BinaryMetrics, RocAucIsOneForAPerfectRankingAndZeroForAnInvertedOne) {
  // Perfect: both positives score above both negatives, so all 2 * 2 pairs are concordant.
  const BinaryMetrics perfect = binary_metrics(Floats{0.1f, 0.2f, 0.8f, 0.9f}, Floats{0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(perfect.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(perfect.pr_auc, 1.0);  // every recall step is taken at precision 1
  // Inverted: both positives score below both negatives, so no pair is concordant.
  const BinaryMetrics inverted = binary_metrics(Floats{0.9f, 0.8f, 0.2f, 0.1f}, Floats{0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(inverted.roc_auc, 0.0);
  // Thresholds 0.9, 0.8 add no recall; 0.2 adds recall 1/2 at precision 1/3; 0.1 adds 1/2
  // at precision 2/4. AP = 1/6 + 1/4 = 5/12.
  EXPECT_DOUBLE_EQ(inverted.pr_auc, 5.0 / 12.0);
  EXPECT_EQ(inverted.positives, 2);
  EXPECT_EQ(inverted.negatives, 2);
}

TEST(BinaryMetrics, EqualScoresGiveRocAucOneHalf) {
  // All 3 * 2 pairs are ties, each counting 1/2. One threshold: recall 1 at precision 3/5.
  const BinaryMetrics m =
      binary_metrics(Floats{0.3f, 0.3f, 0.3f, 0.3f, 0.3f}, Floats{0, 1, 0, 1, 1});
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.5);
  EXPECT_DOUBLE_EQ(m.pr_auc, 0.6);
}

TEST(BinaryMetrics, RocAucOfAMixedRankingCountsConcordantPairsWithTiesAsHalf) {
  // Positives 0.9, 0.7, 0.6, 0.2; negatives 0.8, 0.6, 0.3: 4 * 3 = 12 pairs.
  //   0.9 beats 0.8, 0.6, 0.3                 3
  //   0.7 beats 0.6, 0.3; loses to 0.8        2
  //   0.6 beats 0.3; ties 0.6; loses to 0.8   1.5
  //   0.2 loses to all                         0
  // AUC = 6.5 / 12 = 13/24.
  const Floats scores{0.9f, 0.8f, 0.7f, 0.6f, 0.6f, 0.3f, 0.2f};
  const Floats labels{1, 0, 1, 1, 0, 0, 1};
  EXPECT_DOUBLE_EQ(binary_metrics(scores, labels).roc_auc, 13.0 / 24.0);
}

TEST(BinaryMetrics, PrAucIsAveragePrecisionOverDistinctThresholdsWithoutInterpolation) {
  // Scores (label): 0.9(1) 0.8(0) 0.7(1) 0.4(1) 0.4(0) 0.2(0); 3 positives.
  //   t=0.9: TP 1 FP 0, recall +1/3 at precision 1      -> 1/3
  //   t=0.8: TP 1 FP 1, recall +0                       -> 0
  //   t=0.7: TP 2 FP 1, recall +1/3 at precision 2/3    -> 2/9
  //   t=0.4: TP 3 FP 2 (the tie enters at once), +1/3 at precision 3/5 -> 1/5
  //   t=0.2: TP 3 FP 3, recall +0                       -> 0
  // AP = 1/3 + 2/9 + 1/5 = 34/45. (Splitting the tie positive-first would give 1/4 for
  // t=0.4, and the trapezoidal PR area would differ too.)
  const Floats scores{0.9f, 0.8f, 0.7f, 0.4f, 0.4f, 0.2f};
  const Floats labels{1, 0, 1, 1, 0, 0};
  EXPECT_NEAR(binary_metrics(scores, labels).pr_auc, 34.0 / 45.0, 1e-15);
}

TEST(BinaryMetrics, BestF1ThresholdIsTheDistinctScoreWithTheHighestF1) {
  // Scores (label): 0.9(1) 0.8(0) 0.45(1) 0.4(1) 0.3(0) 0.1(0); P = 3, N = 3.
  // F1 = 2TP / (TP + FP + P) at each threshold:
  //   0.9: 2/4 = .5   0.8: 2/5 = .4   0.45: 4/6 = .667   0.4: 6/7 = .857
  //   0.3: 6/8 = .75  0.1: 6/9 = .667
  // Best: t = 0.4 with TP 3, FP 1, TN 2: precision 3/4, recall 1, accuracy 5/6.
  // At 0.5 only 0.9 and 0.8 are positive: TP 1, FP 1, TN 2, FN 2 -> precision 1/2,
  // recall 1/3, F1 2/5, accuracy 3/6.
  const Floats scores{0.9f, 0.8f, 0.45f, 0.4f, 0.3f, 0.1f};
  const BinaryMetrics m = binary_metrics(scores, Floats{1, 0, 1, 1, 0, 0});
  EXPECT_DOUBLE_EQ(m.best_f1.threshold, static_cast<double>(0.4f));
  EXPECT_DOUBLE_EQ(m.best_f1.f1, 6.0 / 7.0);
  EXPECT_DOUBLE_EQ(m.best_f1.precision, 0.75);
  EXPECT_DOUBLE_EQ(m.best_f1.recall, 1.0);
  EXPECT_DOUBLE_EQ(m.best_f1.accuracy, 5.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.at_0_5.threshold, 0.5);
  EXPECT_DOUBLE_EQ(m.at_0_5.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.at_0_5.recall, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.at_0_5.f1, 0.4);
  EXPECT_DOUBLE_EQ(m.at_0_5.accuracy, 0.5);
}

TEST(BinaryMetrics, BestF1TiesGoToTheHighestThreshold) {
  // Scores (label): 0.9(1) 0.7(0) 0.6(0) 0.5(1); P = 2. F1 at 0.9: 2/3; 0.7: 2/4; 0.6: 2/5;
  // 0.5: 4/6 = 2/3. Two thresholds share the best F1; the higher, 0.9, is reported.
  const BinaryMetrics m = binary_metrics(Floats{0.9f, 0.7f, 0.6f, 0.5f}, Floats{1, 0, 0, 1});
  EXPECT_DOUBLE_EQ(m.best_f1.f1, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.best_f1.threshold, static_cast<double>(0.9f));
}

TEST(BinaryMetrics, PrecisionIsZeroWhenNothingIsPredictedPositive) {
  // All scores < 0.5: TP = FP = 0, precision 0/0 -> 0 (sklearn zero_division=0), recall
  // 0/2, F1 0; accuracy = TN / n = 1/3.
  const BinaryMetrics m = binary_metrics(Floats{0.1f, 0.2f, 0.3f}, Floats{1, 0, 1});
  EXPECT_EQ(m.at_0_5.precision, 0.0);
  EXPECT_EQ(m.at_0_5.recall, 0.0);
  EXPECT_EQ(m.at_0_5.f1, 0.0);
  EXPECT_DOUBLE_EQ(m.at_0_5.accuracy, 1.0 / 3.0);
}

TEST(BinaryMetrics, ScoreExactlyAtTheThresholdIsPredictedPositive) {
  // p = 0.5 >= 0.5 is a positive prediction: TP 1, FP 0 -> precision 1, recall 1/2.
  const BinaryMetrics m = binary_metrics(Floats{0.5f, 0.2f, 0.1f}, Floats{1, 1, 0});
  EXPECT_DOUBLE_EQ(m.at_0_5.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.at_0_5.recall, 0.5);
}

TEST(BinaryMetrics, BrierIsTheMeanSquaredErrorOfTheProbabilities) {
  // (0.9-1)^2 + (0.2-0)^2 + (0.6-0)^2 + (0.5-1)^2 = .01 + .04 + .36 + .25 = .66; / 4.
  const Floats scores{0.9f, 0.2f, 0.6f, 0.5f};
  const Floats labels{1, 0, 0, 1};
  EXPECT_NEAR(binary_metrics(scores, labels).brier, 0.165, 1e-7);
  // Weights 1, 3, 0, 2: (.01 + 3 * .04 + 0 + 2 * .25) / 6 = .63 / 6.
  EXPECT_NEAR(binary_metrics(scores, labels, Floats{1, 3, 0, 2}).brier, 0.105, 1e-7);
}

TEST(BinaryMetrics, WeightsCountPairsByTheProductOfTheirWeights) {
  // Positives 0.8 (w 2), 0.4 (w 1); negatives 0.6 (w 1), 0.2 (w 3). Total 3 * 4 = 12.
  //   0.8 beats both negatives: 2 * (1 + 3) = 8;  0.4 beats 0.2: 1 * 3 = 3.  AUC = 11/12.
  const Floats scores{0.8f, 0.6f, 0.4f, 0.2f};
  const Floats labels{1, 0, 1, 0};
  const BinaryMetrics m = binary_metrics(scores, labels, Floats{2, 1, 1, 3});
  EXPECT_DOUBLE_EQ(m.roc_auc, 11.0 / 12.0);
  EXPECT_EQ(m.positives, 2) << "counts are of examples, not weights";
  // Weight 2 is the same as the example twice.
  const BinaryMetrics twice = binary_metrics(Floats{0.8f, 0.8f, 0.6f, 0.4f, 0.2f, 0.2f, 0.2f},
                                             Floats{1, 1, 0, 1, 0, 0, 0});
  EXPECT_DOUBLE_EQ(m.pr_auc, twice.pr_auc);
  EXPECT_DOUBLE_EQ(m.best_f1.f1, twice.best_f1.f1);
  EXPECT_DOUBLE_EQ(m.at_0_5.accuracy, twice.at_0_5.accuracy);
}

TEST(BinaryMetrics, ZeroWeightExamplesFormNoThreshold) {
  // The 0.95 example has weight 0, so it is as if absent (sklearn drops it): the curves
  // start at 0.9 with precision 1, AP = 1 and AUC = 1; a threshold at 0.95 would add a
  // 0/0 precision.
  const BinaryMetrics m =
      binary_metrics(Floats{0.95f, 0.9f, 0.1f}, Floats{0, 1, 0}, Floats{0, 1, 1});
  EXPECT_DOUBLE_EQ(m.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(m.pr_auc, 1.0);
  EXPECT_DOUBLE_EQ(m.best_f1.threshold, static_cast<double>(0.9f));
  EXPECT_EQ(m.negatives, 2) << "it is still counted";
}

TEST(BinaryMetrics, OneClassLeavesTheAucsUndefined) {
  const BinaryMetrics only_positives = binary_metrics(Floats{0.2f, 0.7f}, Floats{1, 1});
  EXPECT_TRUE(std::isnan(only_positives.roc_auc));
  EXPECT_TRUE(std::isnan(only_positives.pr_auc));
  EXPECT_NEAR(only_positives.brier, (0.64 + 0.09) / 2, 1e-7) << "the rest stays defined";
  const BinaryMetrics only_negatives = binary_metrics(Floats{0.2f, 0.7f}, Floats{0, 0});
  EXPECT_TRUE(std::isnan(only_negatives.roc_auc));
  EXPECT_TRUE(std::isnan(only_negatives.pr_auc));
  EXPECT_EQ(only_negatives.at_0_5.recall, 0.0) << "no positives: recall 0/0 -> 0";
}

TEST(BinaryMetrics, EmptyInputIsUndefinedWithZeroCounts) {
  const BinaryMetrics m = binary_metrics(Floats{}, Floats{});
  EXPECT_EQ(m.positives + m.negatives, 0);
  EXPECT_TRUE(std::isnan(m.roc_auc));
  EXPECT_TRUE(std::isnan(m.brier));
  EXPECT_TRUE(std::isnan(m.at_0_5.accuracy));
  EXPECT_TRUE(std::isnan(m.best_f1.threshold));
}

// The message of the DataError `call` throws, or "no DataError".
std::string data_error_message(const std::function<void()>& call) {
  try {
    call();
  } catch (const DataError& e) {
    return e.what();
  }
  return "no DataError";
}

TEST(BinaryMetrics, RejectsMalformedInputNamingTheIndex) {
  const std::vector<std::pair<std::function<void()>, std::string>> cases = {
      {[] { binary_metrics(Floats{0.1f}, Floats{0, 1}); }, "labels has 2"},
      {[] { binary_metrics(Floats{0.1f, 1.5f}, Floats{0, 1}); }, "scores[1] = 1.5"},
      {[] { binary_metrics(Floats{NAN}, Floats{0}); }, "scores[0] = nan"},
      {[] { binary_metrics(Floats{0.1f, 0.2f}, Floats{0, 0.5f}); }, "labels[1] = 0.5"},
      {[] { binary_metrics(Floats{0.1f}, Floats{0}, Floats{-1}); }, "weights[0] = -1"},
      {[] { regression_metrics(Floats{1, INFINITY}, Floats{1, 1}); }, "predictions[1] = inf"},
  };
  for (const auto& [call, expected] : cases) {
    const std::string message = data_error_message(call);
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

// Naive references for the large case: O(n^2) pair counting and O(n * distinct) sweeps
// that recount the confusion matrix from scratch at every threshold.
struct Example {
  double score;
  bool positive;
  double weight;
};

double pairwise_roc_auc(const std::vector<Example>& examples) {
  double concordant = 0.0;
  double positives = 0.0;
  double negatives = 0.0;
  for (const Example& a : examples) (a.positive ? positives : negatives) += a.weight;
  for (const Example& pos : examples) {
    if (!pos.positive) continue;
    for (const Example& neg : examples) {
      if (neg.positive) continue;
      const double credit = pos.score > neg.score ? 1.0 : (pos.score == neg.score ? 0.5 : 0.0);
      concordant += pos.weight * neg.weight * credit;
    }
  }
  return concordant / (positives * negatives);
}

struct Confusion {
  double tp = 0.0;
  double fp = 0.0;
};

Confusion count_at(const std::vector<Example>& examples, double threshold) {
  Confusion c;
  for (const Example& e : examples) {
    if (e.score >= threshold) (e.positive ? c.tp : c.fp) += e.weight;
  }
  return c;
}

std::vector<double> distinct_scores_descending(const std::vector<Example>& examples) {
  std::vector<double> scores;
  for (const Example& e : examples) {
    if (e.weight > 0.0) scores.push_back(e.score);
  }
  std::sort(scores.begin(), scores.end(), std::greater<>());
  scores.erase(std::unique(scores.begin(), scores.end()), scores.end());
  return scores;
}

TEST(BinaryMetrics, LargeRandomCaseMatchesNaiveReferences) {
  constexpr std::size_t kCount = 3000;
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<int> level(0, 64);  // scores on a grid of 65: many ties
  std::uniform_int_distribution<int> weight_level(0, 8);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Floats scores, labels, weights;
  std::vector<Example> examples;
  for (std::size_t i = 0; i < kCount; ++i) {
    const float score = static_cast<float>(level(rng)) / 64.0f;
    const bool positive = unit(rng) < 0.2 + 0.6 * score;  // informative, not perfect
    const float weight = static_cast<float>(weight_level(rng)) / 4.0f;  // 0 .. 2, some 0
    scores.push_back(score);
    labels.push_back(positive ? 1.0f : 0.0f);
    weights.push_back(weight);
    examples.push_back({score, positive, weight});
  }
  const BinaryMetrics m = binary_metrics(scores, labels, weights);
  EXPECT_NEAR(m.roc_auc, pairwise_roc_auc(examples), 1e-12);
  EXPECT_GT(m.roc_auc, 0.6) << "the labels were drawn to make the scores informative";

  const Confusion all = count_at(examples, 0.0);
  double average_precision = 0.0;
  double previous_tp = 0.0;
  double best_f1 = -1.0;
  double best_threshold = -1.0;
  for (double t : distinct_scores_descending(examples)) {
    const Confusion c = count_at(examples, t);
    average_precision += (c.tp - previous_tp) / all.tp * c.tp / (c.tp + c.fp);
    previous_tp = c.tp;
    const double f1 = 2.0 * c.tp / (c.tp + c.fp + all.tp);
    if (f1 > best_f1 + 1e-12) best_f1 = f1, best_threshold = t;
  }
  EXPECT_NEAR(m.pr_auc, average_precision, 1e-12);
  EXPECT_NEAR(m.best_f1.f1, best_f1, 1e-12);
  EXPECT_EQ(m.best_f1.threshold, best_threshold);
}

TEST(RegressionMetrics, MaeAndRmseByHand) {
  // Errors 1-2 = -1, 2-2 = 0, 4-1 = 3: MAE (1 + 0 + 3) / 3 = 4/3, RMSE sqrt((1 + 0 + 9) / 3).
  const Floats predictions{1, 2, 4};
  const Floats targets{2, 2, 1};
  const RegressionMetrics m = regression_metrics(predictions, targets);
  EXPECT_EQ(m.count, 3);
  EXPECT_DOUBLE_EQ(m.mae, 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(10.0 / 3.0));
  // Weights 2, 1, 1: MAE (2 + 0 + 3) / 4, RMSE sqrt((2 + 0 + 9) / 4).
  const RegressionMetrics w = regression_metrics(predictions, targets, Floats{2, 1, 1});
  EXPECT_DOUBLE_EQ(w.mae, 5.0 / 4.0);
  EXPECT_DOUBLE_EQ(w.rmse, std::sqrt(11.0 / 4.0));
  EXPECT_TRUE(std::isnan(regression_metrics(Floats{}, Floats{}).mae));
}

TEST(MetricsJson, OneRecordHasStableKeysAndWritesNanAsNull) {
  MetricsRecord record;
  record.split = "val";
  record.epoch = 3;
  record.step = 1200;
  record.profitable = binary_metrics(Floats{0.1f, 0.2f, 0.8f, 0.9f}, Floats{0, 0, 1, 1});
  record.rug = binary_metrics(Floats{0.2f, 0.7f}, Floats{0, 0});  // one class
  record.max_profit = regression_metrics(Floats{1, 2, 4}, Floats{2, 2, 1});

  const std::string line = to_json(record).dump();
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one JSON-lines record";
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["split"], "val");
  EXPECT_EQ(parsed["epoch"], 3);
  EXPECT_EQ(parsed["step"], 1200);
  const nlohmann::json& profitable = parsed["profitable"];
  for (const char* key :
       {"positives", "negatives", "roc_auc", "pr_auc", "brier", "accuracy_at_0_5", "precision_at_0_5",
        "recall_at_0_5", "f1_at_0_5", "f1_best", "f1_best_threshold", "accuracy_at_f1_best",
        "precision_at_f1_best", "recall_at_f1_best"}) {
    EXPECT_TRUE(profitable.contains(key)) << key;
    EXPECT_TRUE(profitable[key].is_number()) << key;
  }
  EXPECT_EQ(profitable.size(), 14u);
  EXPECT_DOUBLE_EQ(profitable["roc_auc"].get<double>(), 1.0);
  EXPECT_EQ(profitable["positives"], 2);
  EXPECT_DOUBLE_EQ(profitable["f1_best_threshold"].get<double>(), static_cast<double>(0.8f));
  EXPECT_TRUE(parsed["rug"]["roc_auc"].is_null());
  EXPECT_TRUE(parsed["rug"]["pr_auc"].is_null());
  EXPECT_TRUE(parsed["rug"]["brier"].is_number());
  EXPECT_DOUBLE_EQ(parsed["max_profit"]["mae"].get<double>(), 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(parsed["max_profit"]["rmse"].get<double>(), std::sqrt(10.0 / 3.0));
  EXPECT_EQ(parsed["max_profit"]["count"], 3);
}

}  // namespace
}  // namespace snipe::trainer
