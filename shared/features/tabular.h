#pragma once
// The tabular view of one window: a fixed-length row of hand-made summaries that simple
// models (logistic regression, gradient-boosted trees) can use, where the sequence model
// reads the whole window. The baselines every training run fits read it, and so does the
// shim when the export serves a head from trees, so both compute it here, once.
//
//   [0, 24)   the last bar's model features: candle features, then indicator features
//             (model_features.h), unscaled
//   [24, 29)  log_return_{1,3,6,12,48}: ln(close[last] / close[last - k]), k capped at
//             T - 1 so every summary stays inside the window
//   29        volume_rel_window: last bar's volume over the window's mean volume (0 when
//             that mean is 0)
//   30        close_in_range: (close - low) / (high - low) of the last bar, 0.5 when flat
//   31        log_close_to_window_high: ln(close / max high over the window), <= 0
//   32        log_close_to_window_low: ln(close / min low over the window), >= 0
//   33        window_volatility: standard deviation of the window's one-bar log returns
//   34        log_volume_trend_12: ln(mean volume of the last 12 bars / the window's mean
//             volume), floored at ln(1e-6); 0 when the window's mean volume is 0
//   [35, 47)  the context features with their missing flags (context.h), unscaled
//
// Every value is finite for windows of valid candles (positive prices). Pure; thread-safe.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "shared/market/candle.h"

namespace snipe {

inline constexpr std::array<std::size_t, 5> kTabularReturnLags = {1, 3, 6, 12, 48};
inline constexpr std::size_t kTabularSummaryCount = kTabularReturnLags.size() + 6;
inline constexpr std::size_t kTabularFeatureCount =
    kCandleFeatureCount + kIndicatorFeatureCount + kTabularSummaryCount + kContextFeatureCount;

// Names in row order: the model feature names, the summaries, the context feature names.
const std::array<std::string_view, kTabularFeatureCount>& tabular_feature_names();

using TabularRow = std::array<float, kTabularFeatureCount>;

// One window as the tabular view reads it.
struct TabularWindow {
  CandleSpan candles;                         // the window's T >= 2 bars, oldest first
  std::span<const float> candle_features;     // [kCandleFeatureCount] of the last bar
  std::span<const float> indicator_features;  // [kIndicatorFeatureCount] of the last bar
  const ContextFeatureRow* context = nullptr; // the token's context features
};

// REQUIRES: candles.size() >= 2, the feature spans have their counts, context is set.
// Throws std::invalid_argument otherwise.
TabularRow tabular_features(const TabularWindow& window);

}  // namespace snipe
