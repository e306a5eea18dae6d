#pragma once
// The tabular view (shared/features/tabular.h) of a split's examples as one row-major
// matrix, with the labels of the three heads: what the baselines fit and score on.
// Plain C++; pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/features/tabular.h"
#include "trainer/data/data_set.h"

namespace snipe::trainer {

struct TabularSet {
  std::size_t rows = 0;
  std::vector<float> features;    // [rows, kTabularFeatureCount]
  std::vector<float> profitable;  // [rows] 0/1
  std::vector<float> rug;         // [rows] 0/1
  std::vector<float> max_profit;  // [rows]
};

// One row per example, in the order given. `window` is T, the model's window (>= 2).
// Throws DataError naming the example whose window does not fit in its series.
TabularSet tabular_set(const DataSet& data, std::span<const std::uint32_t> examples, std::size_t window);

}  // namespace snipe::trainer
