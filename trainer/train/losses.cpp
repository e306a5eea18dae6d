#include "trainer/train/losses.h"

#include <cmath>

#include <torch/nn/functional/loss.h>

namespace snipe::trainer {
namespace {

namespace F = torch::nn::functional;

// Sum over the batch of the class-weighted BCE; the weights never need a gradient.
torch::Tensor weighted_bce_sum(const torch::Tensor& logits, const torch::Tensor& labels,
                               const ClassWeights& weights) {
  const torch::Tensor per_example = labels * weights.positive + (1 - labels) * weights.negative;
  return F::binary_cross_entropy_with_logits(
      logits, labels, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(per_example).reduction(torch::kSum));
}

}  // namespace

ClassWeights tempered(const ClassWeights& weights, double power) {
  return {.negative = std::pow(weights.negative, power), .positive = std::pow(weights.positive, power)};
}

LossTerms training_loss(const HeadOutputs& outputs, const HeadTargets& targets,
                        const LabelWeights& class_weights, const LossOptions& options,
                        double normalizer) {
  LossTerms terms;
  terms.profitable = weighted_bce_sum(outputs.profitable, targets.profitable, class_weights.profitable) / normalizer;
  const ClassWeights rug_weights = tempered(class_weights.rug, options.rug_class_weight_power);
  terms.rug = weighted_bce_sum(outputs.rug, targets.rug, rug_weights) / normalizer;
  terms.max_profit = F::huber_loss(outputs.max_profit, targets.max_profit,
                                   F::HuberLossFuncOptions().reduction(torch::kSum).delta(options.huber_delta)) /
                     normalizer;
  terms.total = options.profitable_weight * terms.profitable + options.max_profit_weight * terms.max_profit +
                options.rug_weight * terms.rug;
  return terms;
}

}  // namespace snipe::trainer
