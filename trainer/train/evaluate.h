#pragma once
// Evaluation of the model on a split: predictions for every example of a loader's epoch
// (eval mode, no gradients), and their metrics.
// Thread-safety: one thread; the model must not be used concurrently.

#include <cstdint>
#include <string>
#include <vector>

#include <torch/script.h>

#include "shared/comm/communicator.h"
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

// Evaluation split over the ranks: rank r of W predicts examples[r], examples[r + W], ...
std::vector<std::uint32_t> strided_share(const std::vector<std::uint32_t>& examples, int rank, int world);

// Every rank's predictions of its strided_share() of `examples`, put together in the
// order of `examples`, on every rank (collective; one all-reduce of [6, N] floats, exact:
// each position is filled by one rank and zero elsewhere). `mine` is this rank's
// predict() over its share.
Predictions gather_predictions(const Predictions& mine, const std::vector<std::uint32_t>& examples,
                               Communicator& comm);

// Metrics of every head; `split`, `epoch` (epochs completed) and `step` label the record.
MetricsRecord evaluate_predictions(const Predictions& predictions, const std::string& split,
                                   std::int64_t epoch, std::int64_t step);

}  // namespace snipe::trainer
