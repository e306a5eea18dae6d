#pragma once
// Temperature scaling of a binary head's probability: p' = sigmoid(logit(p) / T). T > 1
// softens over-confident outputs, T < 1 sharpens timid ones; the order of the scores (and
// so every ROC-AUC) is unchanged. The trainer fits T on val; the shim applies it.

#include <algorithm>
#include <cmath>

namespace snipe {

// REQUIRES: temperature > 0. p is clamped to [1e-7, 1 - 1e-7] first, where float outputs
// of a sigmoid saturate.
inline double temperature_scaled(double p, double temperature) {
  const double q = std::clamp(p, 1e-7, 1.0 - 1e-7);
  const double logit = std::log(q / (1.0 - q));
  return 1.0 / (1.0 + std::exp(-logit / temperature));
}

}  // namespace snipe
