#pragma once
// A fitted logistic regression for one binary head, on standardised features:
//   z = (x - mean) / scale,  P(1 | x) = sigmoid(weights . z + bias)
// The trainer fits it (trainer/baselines/logistic_fit.h, liblinear); the shim and
// `snipe evaluate` only apply it. Pure data: predict() is thread-safe.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/models/matrix_view.h"

namespace snipe {

struct LogisticModel {
  std::vector<double> mean;     // [cols]
  std::vector<double> scale;    // [cols], > 0
  std::vector<double> weights;  // [cols], on standardised features
  double bias = 0.0;

  // P(label = 1) per row [rows]. Throws std::invalid_argument unless
  // x.cols == weights.size().
  std::vector<float> predict(MatrixView x) const;
};

// {"mean": [...], "scale": [...], "weights": [...], "bias": b}
nlohmann::json to_json(const LogisticModel& model);
// The inverse. Throws DataError naming `source` and the field when one is missing or
// mistyped, the lists differ in length or a scale is not > 0; when `expected_cols` is
// not 0, also when the model reads another number of columns.
LogisticModel logistic_model_from_json(const nlohmann::json& json, const std::string& source,
                                       std::size_t expected_cols = 0);

}  // namespace snipe
