#pragma once
// A loader Batch of random windows and labels, for tests of the training step.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/data/window_loader.h"

namespace snipe::testing {

// `b` examples of `window` steps drawn from torch's generator seeded with `seed` (the same
// batch on every rank): normal features, profitable ~ 50% and rug ~ 30% positives,
// max_profit uniform in [0, max_profit_scale).
inline trainer::Batch random_batch(std::size_t b, std::size_t window, std::uint64_t seed,
                                   float max_profit_scale = 1.0f) {
  const auto fill = [](std::vector<float>& values, const torch::Tensor& source) {
    const torch::Tensor flat = source.contiguous().view(-1);
    values.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  };
  torch::manual_seed(seed);
  const auto n = static_cast<std::int64_t>(b), t = static_cast<std::int64_t>(window);
  trainer::Batch batch;
  batch.size = b;
  fill(batch.candles, torch::randn({n, t, static_cast<std::int64_t>(kCandleFeatureCount)}));
  fill(batch.indicators, torch::randn({n, t, static_cast<std::int64_t>(kIndicatorFeatureCount)}));
  fill(batch.context, torch::randn({n, static_cast<std::int64_t>(kContextFeatureCount)}));
  fill(batch.profitable, (torch::rand({n}) > 0.5).to(torch::kFloat));
  fill(batch.rug, (torch::rand({n}) > 0.7).to(torch::kFloat));
  fill(batch.max_profit, torch::rand({n}) * max_profit_scale);
  batch.examples.assign(b, 0);
  return batch;
}

}  // namespace snipe::testing
