// Trainer::step: the whole optimisation step (loss, clipping, schedule, AdamW) memorises a
// small batch, clips to the configured norm, and follows the learning-rate schedule.

#include "trainer/train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "tests/support/random_batch.h"
#include "trainer/model/attention_lstm.h"

namespace snipe::trainer {
namespace {

constexpr std::size_t kWindow = 12;
const ModelOptions kSmall{.lstm1_hidden = 16, .lstm2_hidden = 8, .heads = 2, .attention_dropout = 0.0,
                          .context_hidden = 8, .head_hidden = 16, .head_dropout = 0.0};

// A batch of `b` random windows with random labels, as the loader would hand it over.
Batch random_batch(std::size_t b, std::uint64_t seed) { return testing::random_batch(b, kWindow, seed, 0.5f); }

TrainOptions options() {
  TrainOptions o;
  o.window = kWindow;
  o.grad_clip = 1.0;
  return o;
}

TEST(Trainer, MemorisesASmallBatchToNearZeroLoss) {
  torch::jit::Module model = build_attention_lstm(kSmall, 1);
  const LrSchedule schedule{.peak_lr = 3e-3, .min_lr = 3e-3, .warmup_steps = 1, .total_steps = 1};
  Trainer trainer(model, options(), LabelWeights{}, schedule);
  Batch batch = random_batch(16, 2);
  const double first = trainer.step(batch, 0).loss;
  double last = first;
  for (std::int64_t step = 1; step < 300; ++step) last = trainer.step(batch, step).loss;
  EXPECT_GT(first, 0.5) << "random labels start near ln 2 per binary head";
  EXPECT_LT(last, 0.03);
}

TEST(Trainer, ReportsTheNormBeforeClippingAndClipsTheUpdate) {
  torch::jit::Module model = build_attention_lstm(kSmall, 3);
  TrainOptions o = options();
  o.grad_clip = 1e-3;  // far below any real gradient norm
  o.weight_decay = 0.0;
  // Adam normalises its update, so clipping shows on the gradients step() leaves on the
  // parameters: their global norm is the clip value.
  Trainer trainer(model, o, LabelWeights{}, {.peak_lr = 1e-9, .min_lr = 0, .warmup_steps = 1, .total_steps = 1});
  Batch batch = random_batch(8, 4);
  const StepResult result = trainer.step(batch, 0);
  double squared = 0;
  for (const auto& p : trainer.parameters()) squared += p.grad().pow(2).sum().item<double>();
  EXPECT_GT(result.grad_norm, 1e-2);
  EXPECT_NEAR(std::sqrt(squared), 1e-3, 1e-6);
}

TEST(Trainer, UsesTheScheduledLearningRateOfEachStep) {
  torch::jit::Module model = build_attention_lstm(kSmall, 5);
  const LrSchedule schedule{.peak_lr = 1e-3, .min_lr = 1e-5, .warmup_steps = 4, .total_steps = 10};
  Trainer trainer(model, options(), LabelWeights{}, schedule);
  Batch batch = random_batch(4, 6);
  // Warmup: step s takes peak * (s + 1) / warmup (lr_schedule.h).
  EXPECT_DOUBLE_EQ(trainer.step(batch, 0).lr, 1e-3 / 4);
  EXPECT_DOUBLE_EQ(trainer.step(batch, 3).lr, 1e-3);
  const auto& group_options = static_cast<torch::optim::AdamWOptions&>(trainer.optimizer().param_groups()[0].options());
  EXPECT_DOUBLE_EQ(group_options.lr(), 1e-3);
}

TEST(Trainer, CallsTheGradientHookAfterBackwardWithEveryParameter) {
  torch::jit::Module model = build_attention_lstm(kSmall, 7);
  std::size_t seen = 0;
  bool gradients_present = false;
  Trainer trainer(model, options(), LabelWeights{}, {.peak_lr = 1e-3, .min_lr = 0, .warmup_steps = 1, .total_steps = 1},
                  [&](const std::vector<torch::Tensor>& parameters) {
                    seen = parameters.size();
                    gradients_present = parameters.front().grad().defined();
                  });
  Batch batch = random_batch(4, 8);
  trainer.step(batch, 0);
  EXPECT_EQ(seen, 44u);
  EXPECT_TRUE(gradients_present);
}

}  // namespace
}  // namespace snipe::trainer
