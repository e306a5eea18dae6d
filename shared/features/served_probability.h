#pragma once
// How a binary head's probability is served: the sequence model's p_m, blended in logit
// space with the head's baselines (gradient-boosted trees p_t, logistic regression p_l)
// by the export's weights, then scaled by a temperature:
//   p = sigmoid((w_m logit(p_m) + w_t logit(p_t) + w_l logit(p_l)) / T)
// Weights {1, 0, 0} serve the model alone (p_t and p_l are then never read), T = 1 leaves
// it unscaled. A temperature keeps the order of the scores (so every ROC-AUC), T > 1
// softens over-confident outputs, T < 1 sharpens timid ones. The trainer chooses the
// weights and fits T on val (trainer/train/serving.h); the shim and `snipe evaluate`
// apply them.

#include <algorithm>
#include <cmath>

namespace snipe {

// Each part's share of a head's logit: >= 0, summing to 1.
struct BlendWeights {
  double model = 1.0;
  double trees = 0.0;
  double logistic = 0.0;
  friend bool operator==(const BlendWeights&, const BlendWeights&) = default;
};

// logit(p), with p clamped to [1e-7, 1 - 1e-7] first, where float sigmoids saturate.
inline double clamped_logit(double p) {
  const double q = std::clamp(p, 1e-7, 1.0 - 1e-7);
  return std::log(q / (1.0 - q));
}

// REQUIRES: temperature > 0.
inline double temperature_scaled(double p, double temperature) {
  return 1.0 / (1.0 + std::exp(-clamped_logit(p) / temperature));
}

// A part with weight 0 is not read. REQUIRES: temperature > 0.
inline double served_probability(double model_p, double trees_p, double logistic_p, const BlendWeights& w,
                                 double temperature) {
  double z = 0.0;
  if (w.model > 0.0) z += w.model * clamped_logit(model_p);
  if (w.trees > 0.0) z += w.trees * clamped_logit(trees_p);
  if (w.logistic > 0.0) z += w.logistic * clamped_logit(logistic_p);
  return 1.0 / (1.0 + std::exp(-z / temperature));
}

}  // namespace snipe
