#pragma once
// L2-regularised logistic regression for one binary head, fitted by liblinear (Debian's
// liblinear-dev) on standardised features: z = (x - mean) / scale with the train rows'
// mean and population sd (1 where 0), then P(1 | x) = sigmoid(w . z + bias).
// Pure data once fitted; predict() is thread-safe.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/models/matrix_view.h"

namespace snipe::trainer {

struct LogisticOptions {
  double c = 1.0;      // inverse regularisation strength (liblinear's C)
  double eps = 1e-3;   // liblinear's stopping tolerance
};

struct LogisticModel {
  std::vector<double> mean;     // [cols]
  std::vector<double> scale;    // [cols]
  std::vector<double> weights;  // [cols], on standardised features
  double bias = 0.0;

  // Fits on `train` with labels 0/1. Train rows of one class give weights 0 and a bias of
  // that class's log-odds (clamped), so the model predicts the train rate.
  static LogisticModel fit(MatrixView train, std::span<const float> labels, const LogisticOptions& options = {});

  // P(label = 1) per row [rows]. REQUIRES: x.cols == weights.size().
  std::vector<float> predict(MatrixView x) const;
};

// {"mean": [...], "scale": [...], "weights": [...], "bias": b}
nlohmann::json to_json(const LogisticModel& model);
// The inverse. Throws DataError naming `source` and the field when one is missing or
// mistyped, or the lists differ in length.
LogisticModel logistic_model_from_json(const nlohmann::json& json, const std::string& source);

}  // namespace snipe::trainer
