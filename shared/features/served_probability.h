#pragma once
// How a binary head's probability is served: the sequence model's p_m, blended in logit
// space with the head's gradient-boosted trees p_t when the export gives the trees a
// share, then scaled by a temperature:
//   p = sigmoid((w logit(p_m) + (1 - w) logit(p_t)) / T)
// w = 1 serves the model alone (p_t is then ignored), T = 1 leaves it unscaled. A
// temperature keeps the order of the scores (so every ROC-AUC), T > 1 softens
// over-confident outputs, T < 1 sharpens timid ones. The trainer chooses w and fits T on
// val; the shim and `snipe evaluate` apply them.

#include <algorithm>
#include <cmath>

namespace snipe {

// logit(p), with p clamped to [1e-7, 1 - 1e-7] first, where float sigmoids saturate.
inline double clamped_logit(double p) {
  const double q = std::clamp(p, 1e-7, 1.0 - 1e-7);
  return std::log(q / (1.0 - q));
}

// REQUIRES: temperature > 0.
inline double temperature_scaled(double p, double temperature) {
  return 1.0 / (1.0 + std::exp(-clamped_logit(p) / temperature));
}

// REQUIRES: 0 <= model_weight <= 1, temperature > 0.
inline double served_probability(double model_p, double trees_p, double model_weight, double temperature) {
  const double z = model_weight >= 1.0
                       ? clamped_logit(model_p)
                       : model_weight * clamped_logit(model_p) + (1.0 - model_weight) * clamped_logit(trees_p);
  return 1.0 / (1.0 + std::exp(-z / temperature));
}

}  // namespace snipe
