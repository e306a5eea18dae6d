#pragma once
// Calibration of a binary head: does "0.3" mean 30%? Expected calibration error over
// equal-width bins, the reliability table behind it, and the temperature (see
// shared/features/served_probability.h) that minimises the log loss on val.
// Plain C++; pure functions, thread-safe.

#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/core/json_fields.h"

namespace snipe::trainer {

inline constexpr int kCalibrationBins = 10;

// One bin [lower, upper) of predicted probability (the last bin includes 1).
struct ReliabilityBin {
  double lower = 0, upper = 0;
  std::int64_t count = 0;       // examples whose prediction falls in the bin
  double mean_predicted = 0;    // their mean prediction; 0 when empty
  double observed_rate = 0;     // their share of positives; 0 when empty
};

// REQUIRES: p and y of one size, p in [0, 1], y in {0, 1}.
std::vector<ReliabilityBin> reliability_table(std::span<const float> p, std::span<const float> y,
                                              int bins = kCalibrationBins);
// sum over bins of count / n * |mean_predicted - observed_rate|; NaN for no examples.
double expected_calibration_error(const std::vector<ReliabilityBin>& table);

// argmin over T in [0.05, 20] of the mean log loss of temperature_scaled(p, T) against y
// (golden-section search on log T, to ~1e-4 relative). 1 when y holds one class or is empty.
double fit_temperature(std::span<const float> p, std::span<const float> y);

// A head's calibration on one split.
struct SplitCalibration {
  double ece_raw = 0;                  // of the probabilities before the temperature
  double ece = 0;                      // after it
  std::vector<ReliabilityBin> table;   // after the temperature
};
SplitCalibration calibrate_split(std::span<const float> p, std::span<const float> y, double temperature);

// {"ece_raw", "ece", "reliability": [{"lower", "upper", "count", "mean_predicted",
//  "observed_rate"}, ...]}; NaN as null.
nlohmann::json to_json(const SplitCalibration& calibration);
// The inverse. Throws DataError naming the file and field when one is missing or mistyped.
SplitCalibration split_calibration_from_json(const JsonFields& fields);

}  // namespace snipe::trainer
