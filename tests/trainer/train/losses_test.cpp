// training_loss against values computed by hand.

#include "trainer/train/losses.h"

#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace snipe::trainer {
namespace {

torch::Tensor t(std::vector<float> values) { return torch::tensor(values, torch::kFloat32); }

double softplus(double x) { return std::log1p(std::exp(x)); }

TEST(TrainingLoss, WeightsEachClassAndSumsOverTheNormalizer) {
  // profitable logits [0, 2], labels [1, 0]: BCE = softplus(-z) for y=1, softplus(z) for y=0.
  //   example 0: softplus(0) = ln 2, weight w_pos = 3; example 1: softplus(2), weight w_neg = 0.5.
  // rug logits [-1, 1], labels [0, 0]: softplus(-1) + softplus(1), weight w_neg = 0.75 each.
  // max_profit [0.5, 3] vs [0, 0.5], delta 1: 0.5 * 0.5^2 = 0.125 and 1 * (2.5 - 0.5) = 2.
  // normalizer 4 (a global batch of 4 of which this rank holds 2).
  const HeadOutputs out{t({0, 2}), t({0.5, 3}), t({-1, 1})};
  const HeadTargets y{t({1, 0}), t({0, 0.5}), t({0, 0})};
  const LabelWeights w{.profitable = {.negative = 0.5, .positive = 3}, .rug = {.negative = 0.75, .positive = 9}};
  const LossOptions options{
      .profitable_weight = 1.0, .max_profit_weight = 0.5, .rug_weight = 2.0, .rug_class_weight_power = 1.0,
      .huber_delta = 1.0};
  const LossTerms loss = training_loss(out, y, w, options, 4);

  const double profitable = (3 * std::log(2.0) + 0.5 * softplus(2)) / 4;
  const double rug = 0.75 * (softplus(-1) + softplus(1)) / 4;
  const double max_profit = (0.125 + 2.0) / 4;
  EXPECT_NEAR(loss.profitable.item<double>(), profitable, 1e-6);
  EXPECT_NEAR(loss.rug.item<double>(), rug, 1e-6);
  EXPECT_NEAR(loss.max_profit.item<double>(), max_profit, 1e-6);
  EXPECT_NEAR(loss.total.item<double>(), profitable + 0.5 * max_profit + 2.0 * rug, 1e-6);
}

TEST(TrainingLoss, GradientOfTheWeightedBceIsTheWeightedResidual) {
  // d/dz of w * BCE(z, y) = w * (sigmoid(z) - y) / normalizer.
  const torch::Tensor logits = t({0.3f, -1.2f}).requires_grad_(true);
  const HeadOutputs out{logits, t({0, 0}), t({0, 0})};
  const HeadTargets y{t({1, 0}), t({0, 0}), t({0, 0})};
  const LabelWeights w{.profitable = {.negative = 0.25, .positive = 2}};
  training_loss(out, y, w, {.profitable_weight = 1, .max_profit_weight = 0, .rug_weight = 0}, 2).total.backward();
  const auto sigmoid = [](double z) { return 1 / (1 + std::exp(-z)); };
  EXPECT_NEAR(logits.grad()[0].item<double>(), 2 * (sigmoid(0.3) - 1) / 2, 1e-6);
  EXPECT_NEAR(logits.grad()[1].item<double>(), 0.25 * sigmoid(-1.2) / 2, 1e-6);
}

TEST(TrainingLoss, TheRugClassWeightPowerTempersOnlyTheRugWeights) {
  // rug logits [-1, 1], labels [1, 0]; weights positive 16, negative 0.25.
  const HeadOutputs out{t({0, 2}), t({0, 0}), t({-1, 1})};
  const HeadTargets y{t({1, 0}), t({0, 0}), t({1, 0})};
  const LabelWeights w{.profitable = {.negative = 0.5, .positive = 3}, .rug = {.negative = 0.25, .positive = 16}};
  const auto loss = [&](double power) {
    return training_loss(out, y, w, {.rug_weight = 1.0, .rug_class_weight_power = power}, 2);
  };
  const double bce_pos = softplus(1), bce_neg = softplus(1);  // softplus(-(-1)) and softplus(1)
  EXPECT_NEAR(loss(1.0).rug.item<double>(), (16 * bce_pos + 0.25 * bce_neg) / 2, 1e-5);
  EXPECT_NEAR(loss(0.5).rug.item<double>(), (4 * bce_pos + 0.5 * bce_neg) / 2, 1e-5);
  EXPECT_NEAR(loss(0.0).rug.item<double>(), (bce_pos + bce_neg) / 2, 1e-5);
  EXPECT_NEAR(loss(0.5).profitable.item<double>(), loss(1.0).profitable.item<double>(), 1e-7)
      << "profitable keeps its balanced weights";
}

}  // namespace
}  // namespace snipe::trainer
