#pragma once
// A loader Batch seen as tensors, without copying: views over the batch's buffers for
// its first `size` rows. The views are valid while the batch's buffers are (until the
// batch is handed back to WindowLoader::next).

#include <cstdint>

#include <torch/types.h>

#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/data/window_loader.h"
#include "trainer/train/losses.h"

namespace snipe::trainer {

struct BatchTensors {
  torch::Tensor candles;     // [B', T, Fc]
  torch::Tensor indicators;  // [B', T, Fi]
  torch::Tensor context;     // [B', Fx]
  HeadTargets targets;       // 3 x [B']
};

// `window` is the loader's T.
inline BatchTensors batch_tensors(Batch& batch, std::size_t window) {
  const auto b = static_cast<std::int64_t>(batch.size);
  const auto t = static_cast<std::int64_t>(window);
  const auto view = [](std::vector<float>& buffer, std::vector<std::int64_t> shape) {
    return torch::from_blob(buffer.data(), shape, torch::kFloat32);
  };
  return {view(batch.candles, {b, t, static_cast<std::int64_t>(kCandleFeatureCount)}),
          view(batch.indicators, {b, t, static_cast<std::int64_t>(kIndicatorFeatureCount)}),
          view(batch.context, {b, static_cast<std::int64_t>(kContextFeatureCount)}),
          {view(batch.profitable, {b}), view(batch.max_profit, {b}), view(batch.rug, {b})}};
}

}  // namespace snipe::trainer
