#pragma once
// Evaluation of the model on a split: predictions for every example of a loader's epoch
// (eval mode, no gradients), and their metrics.
// Thread-safety: one thread; the model must not be used concurrently.

#include <cstdint>
#include <string>
#include <vector>

#include <torch/script.h>

#include "trainer/data/window_loader.h"
#include "trainer/train/metrics.h"

namespace snipe::trainer {

// One entry per example, in the loader's order.
struct Predictions {
  std::vector<float> profitable, max_profit, rug;          // model outputs (probabilities for the binary heads)
  std::vector<float> profitable_y, max_profit_y, rug_y;    // targets
  std::vector<std::uint32_t> examples;                     // indices into DataSet::examples
};

// Runs `forward` over epoch 0 of `loader` (built with shuffle = false) with the model in
// eval mode; restores the model's previous mode. `window` is the loader's T.
Predictions predict(torch::jit::Module& model, WindowLoader& loader, std::size_t window);

// Metrics of every head; `split`, `epoch` (epochs completed) and `step` label the record.
MetricsRecord evaluate_predictions(const Predictions& predictions, const std::string& split,
                                   std::int64_t epoch, std::int64_t step);

}  // namespace snipe::trainer
