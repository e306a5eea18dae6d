#include "trainer/train/trainer.h"

#include <torch/nn/utils/clip_grad.h>

#include "trainer/model/attention_lstm.h"
#include "trainer/train/batch_tensors.h"
#include "trainer/train/losses.h"

namespace snipe::trainer {
namespace {

HeadOutputs run_logits(torch::jit::Module& model, const BatchTensors& in) {
  const auto tuple = model.get_method("logits")({in.candles, in.indicators, in.context}).toTuple();
  const auto& heads = tuple->elements();
  return {heads[0].toTensor(), heads[1].toTensor(), heads[2].toTensor()};
}

// The dropout seed of `step` on `rank`: splitmix64 of the three, so nearby steps and ranks
// get unrelated streams.
std::uint64_t dropout_seed(std::uint64_t seed, std::int64_t step, int rank) {
  std::uint64_t z = seed ^ (static_cast<std::uint64_t>(step) * 0x9e3779b97f4a7c15ull) ^
                    (static_cast<std::uint64_t>(rank) << 48);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

Trainer::Trainer(torch::jit::Module& model, const TrainOptions& options, const LabelWeights& class_weights,
                 const LrSchedule& schedule, GradientHook gradient_hook, int rank)
    : model_(model),
      options_(options),
      class_weights_(class_weights),
      schedule_(schedule),
      gradient_hook_(std::move(gradient_hook)),
      rank_(rank),
      parameters_(trainable_parameters(model)),
      optimizer_(parameters_, torch::optim::AdamWOptions(schedule.peak_lr).weight_decay(options.weight_decay)) {
  validate_lr_schedule(schedule_);
}

void Trainer::zero_gradients() {
  // In place, never replacing a gradient tensor: a GradientReducer's views stay in its buffer.
  for (auto& p : parameters_) {
    if (p.grad().defined()) p.mutable_grad().zero_();
  }
}

StepResult Trainer::step(Batch& batch, std::int64_t step) {
  StepResult result;
  result.lr = schedule_.at(step);
  for (auto& group : optimizer_.param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(result.lr);
  }
  const BatchTensors in = batch_tensors(batch, options_.window);
  const auto normalizer = static_cast<double>(batch.size);
  zero_gradients();
  torch::manual_seed(dropout_seed(options_.seed, step, rank_));
  const LossTerms loss = training_loss(run_logits(model_, in), in.targets, class_weights_, options_.loss, normalizer);
  loss.total.backward();
  if (gradient_hook_) gradient_hook_(parameters_);
  result.grad_norm = torch::nn::utils::clip_grad_norm_(parameters_, options_.grad_clip);
  optimizer_.step();
  result.loss = loss.total.item<double>();
  result.profitable = loss.profitable.item<double>();
  result.max_profit = loss.max_profit.item<double>();
  result.rug = loss.rug.item<double>();
  return result;
}

}  // namespace snipe::trainer
