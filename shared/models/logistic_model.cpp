#include "shared/models/logistic_model.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "shared/core/json_fields.h"

namespace snipe {

std::vector<float> LogisticModel::predict(MatrixView x) const {
  if (x.cols != weights.size()) {
    throw std::invalid_argument(fmt::format("LogisticModel::predict: {} features given, the model reads {}", x.cols,
                                            weights.size()));
  }
  std::vector<float> p(x.rows);
  for (std::size_t r = 0; r < x.rows; ++r) {
    double z = bias;
    for (std::size_t c = 0; c < x.cols; ++c) z += weights[c] * (x.values[r * x.cols + c] - mean[c]) / scale[c];
    p[r] = static_cast<float>(1.0 / (1.0 + std::exp(-z)));
  }
  return p;
}

LogisticModel logistic_model_from_json(const nlohmann::json& json, const std::string& source,
                                       std::size_t expected_cols) {
  const JsonFields f(json, source, "HINT: export the model again with this build's `snipe train`");
  const auto numbers = [&](const char* key) {
    const nlohmann::json& list = f.value(key);
    std::vector<double> out;
    if (!list.is_array()) f.refuse(key, "must be a list of numbers");
    for (const nlohmann::json& v : list) {
      if (!v.is_number()) f.refuse(key, "must be a list of numbers");
      out.push_back(v.get<double>());
    }
    return out;
  };
  LogisticModel m{.mean = numbers("mean"), .scale = numbers("scale"), .weights = numbers("weights"),
                  .bias = f.number("bias")};
  if (m.mean.size() != m.weights.size() || m.scale.size() != m.weights.size()) {
    f.refuse("weights", fmt::format("has {} entries, mean {} and scale {}; they must agree", m.weights.size(),
                                    m.mean.size(), m.scale.size()));
  }
  if (expected_cols != 0 && m.weights.size() != expected_cols) {
    f.refuse("weights", fmt::format("has {} entries; this build's tabular view has {} columns", m.weights.size(),
                                    expected_cols));
  }
  for (const double s : m.scale) {
    if (!(s > 0.0) || !std::isfinite(s)) {
      f.refuse("scale", fmt::format("holds {}; every scale must be finite and > 0", s));
    }
  }
  return m;
}

nlohmann::json to_json(const LogisticModel& model) {
  return {{"mean", model.mean}, {"scale", model.scale}, {"weights", model.weights}, {"bias", model.bias}};
}

}  // namespace snipe
