#include "trainer/train/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "shared/features/served_probability.h"
#include "trainer/train/metrics.h"

namespace snipe::trainer {
namespace {

double mean_log_loss(std::span<const float> p, std::span<const float> y, double temperature) {
  double sum = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp(temperature_scaled(p[i], temperature), 1e-12, 1.0 - 1e-12);
    sum -= y[i] > 0.5f ? std::log(q) : std::log(1.0 - q);
  }
  return sum / static_cast<double>(p.size());
}

bool one_class(std::span<const float> y) {
  return y.empty() || std::all_of(y.begin(), y.end(), [&](float v) { return v == y.front(); });
}

nlohmann::json to_json(const ReliabilityBin& bin) {
  return {{"lower", bin.lower}, {"upper", bin.upper}, {"count", bin.count},
          {"mean_predicted", bin.mean_predicted}, {"observed_rate", bin.observed_rate}};
}

// temperature_scaled over a vector.
std::vector<float> with_temperature(std::span<const float> p, double temperature) {
  std::vector<float> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) out[i] = static_cast<float>(temperature_scaled(p[i], temperature));
  return out;
}

}  // namespace

std::vector<ReliabilityBin> reliability_table(std::span<const float> p, std::span<const float> y, int bins) {
  std::vector<ReliabilityBin> table(static_cast<std::size_t>(bins));
  for (int b = 0; b < bins; ++b) {
    table[b].lower = static_cast<double>(b) / bins;
    table[b].upper = static_cast<double>(b + 1) / bins;
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    const int b = std::min(bins - 1, static_cast<int>(p[i] * bins));
    ReliabilityBin& bin = table[static_cast<std::size_t>(std::max(b, 0))];
    ++bin.count;
    bin.mean_predicted += p[i];
    bin.observed_rate += y[i];
  }
  for (ReliabilityBin& bin : table) {
    if (bin.count == 0) continue;
    bin.mean_predicted /= static_cast<double>(bin.count);
    bin.observed_rate /= static_cast<double>(bin.count);
  }
  return table;
}

double expected_calibration_error(const std::vector<ReliabilityBin>& table) {
  std::int64_t n = 0;
  double sum = 0.0;
  for (const ReliabilityBin& bin : table) {
    n += bin.count;
    sum += static_cast<double>(bin.count) * std::abs(bin.mean_predicted - bin.observed_rate);
  }
  return n == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(n);
}

double fit_temperature(std::span<const float> p, std::span<const float> y) {
  if (one_class(y) || p.size() != y.size()) return 1.0;
  const double phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = std::log(0.05), hi = std::log(20.0);
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = mean_log_loss(p, y, std::exp(a)), fb = mean_log_loss(p, y, std::exp(b));
  while (hi - lo > 1e-4) {
    if (fa < fb) {
      hi = b, b = a, fb = fa;
      a = hi - phi * (hi - lo);
      fa = mean_log_loss(p, y, std::exp(a));
    } else {
      lo = a, a = b, fa = fb;
      b = lo + phi * (hi - lo);
      fb = mean_log_loss(p, y, std::exp(b));
    }
  }
  return std::exp((lo + hi) / 2.0);
}

SplitCalibration calibrate_split(std::span<const float> p, std::span<const float> y, double temperature) {
  const std::vector<float> scaled = with_temperature(p, temperature);
  SplitCalibration out;
  out.ece_raw = expected_calibration_error(reliability_table(p, y));
  out.table = reliability_table(scaled, y);
  out.ece = expected_calibration_error(out.table);
  return out;
}

nlohmann::json to_json(const SplitCalibration& split) {
  nlohmann::json table = nlohmann::json::array();
  for (const ReliabilityBin& bin : split.table) table.push_back(to_json(bin));
  return {{"ece_raw", metric_or_null(split.ece_raw)}, {"ece", metric_or_null(split.ece)}, {"reliability", table}};
}

SplitCalibration split_calibration_from_json(const JsonFields& f) {
  SplitCalibration out{.ece_raw = metric_from_json(f, "ece_raw"), .ece = metric_from_json(f, "ece")};
  for (const JsonFields& bin : f.objects("reliability")) {
    out.table.push_back({.lower = bin.number("lower"), .upper = bin.number("upper"), .count = bin.integer("count"),
                         .mean_predicted = bin.number("mean_predicted"),
                         .observed_rate = bin.number("observed_rate")});
  }
  return out;
}

}  // namespace snipe::trainer
