#include "shared/features/tabular.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace snipe {
namespace {

constexpr std::array<std::string_view, kTabularSummaryCount> kSummaryNames = {
    "log_return_1",      "log_return_3",         "log_return_6",
    "log_return_12",     "log_return_48",        "volume_rel_window",
    "close_in_range",    "log_close_to_window_high", "log_close_to_window_low",
    "window_volatility", "log_volume_trend_12"};

constexpr std::size_t kVolumeTrendBars = 12;
constexpr double kVolumeTrendFloor = 1e-6;  // of the window's mean volume

double mean_volume(CandleSpan candles) {
  double sum = 0.0;
  for (const Candle& c : candles) sum += c.volume;
  return sum / static_cast<double>(candles.size());
}

double one_bar_return_deviation(CandleSpan candles) {
  const std::size_t n = candles.size() - 1;  // returns in the window
  double sum = 0.0, sum_sq = 0.0;
  for (std::size_t i = 1; i < candles.size(); ++i) {
    const double r = std::log(candles[i].close / candles[i - 1].close);
    sum += r;
    sum_sq += r * r;
  }
  const double mean = sum / static_cast<double>(n);
  return std::sqrt(std::max(0.0, sum_sq / static_cast<double>(n) - mean * mean));
}

// The summaries of tabular.h, in kSummaryNames order.
std::array<double, kTabularSummaryCount> window_summaries(CandleSpan candles) {
  std::array<double, kTabularSummaryCount> s{};
  const Candle& last = candles.back();
  const std::size_t t = candles.size();
  for (std::size_t i = 0; i < kTabularReturnLags.size(); ++i) {
    const std::size_t lag = std::min(kTabularReturnLags[i], t - 1);
    s[i] = std::log(last.close / candles[t - 1 - lag].close);
  }
  std::size_t k = kTabularReturnLags.size();
  const double window_volume = mean_volume(candles);
  s[k++] = window_volume > 0 ? last.volume / window_volume : 0.0;
  s[k++] = last.high > last.low ? (last.close - last.low) / (last.high - last.low) : 0.5;
  double high = last.high, low = last.low;
  for (const Candle& c : candles) {
    high = std::max(high, c.high);
    low = std::min(low, c.low);
  }
  s[k++] = std::log(last.close / high);
  s[k++] = std::log(last.close / low);
  s[k++] = one_bar_return_deviation(candles);
  const double recent_volume = mean_volume(candles.last(std::min(kVolumeTrendBars, t)));
  s[k++] = window_volume > 0
               ? std::log(std::max(recent_volume, kVolumeTrendFloor * window_volume) / window_volume)
               : 0.0;
  return s;
}

std::array<std::string_view, kTabularFeatureCount> all_names() {
  std::array<std::string_view, kTabularFeatureCount> names{};
  auto out = std::copy(kCandleFeatureNames.begin(), kCandleFeatureNames.end(), names.begin());
  out = std::copy(kIndicatorFeatureNames.begin(), kIndicatorFeatureNames.end(), out);
  out = std::copy(kSummaryNames.begin(), kSummaryNames.end(), out);
  std::copy(kContextFeatureNames.begin(), kContextFeatureNames.end(), out);
  return names;
}

}  // namespace

const std::array<std::string_view, kTabularFeatureCount>& tabular_feature_names() {
  static const auto names = all_names();
  return names;
}

TabularRow tabular_features(const TabularWindow& w) {
  if (w.candles.size() < 2 || w.candle_features.size() != kCandleFeatureCount ||
      w.indicator_features.size() != kIndicatorFeatureCount || w.context == nullptr) {
    throw std::invalid_argument("tabular_features: a window needs >= 2 candles (got " +
                                std::to_string(w.candles.size()) + "), the last bar's " +
                                std::to_string(kCandleFeatureCount) + " candle and " +
                                std::to_string(kIndicatorFeatureCount) + " indicator features, and a context");
  }
  TabularRow row{};
  auto out = std::copy(w.candle_features.begin(), w.candle_features.end(), row.begin());
  out = std::copy(w.indicator_features.begin(), w.indicator_features.end(), out);
  for (const double s : window_summaries(w.candles)) *out++ = static_cast<float>(s);
  for (const double c : *w.context) *out++ = static_cast<float>(c);
  return row;
}

}  // namespace snipe
