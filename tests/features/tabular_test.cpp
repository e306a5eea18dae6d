// The tabular view of a window: each summary checked against its definition on windows
// small enough to compute by hand.

#include "shared/features/tabular.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace snipe {
namespace {

Candle bar(double open, double high, double low, double close, double volume) {
  return {.timestamp = 0, .open = open, .high = high, .low = low, .close = close, .volume = volume};
}

std::size_t index_of(std::string_view name) {
  const auto& names = tabular_feature_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  ADD_FAILURE() << "no tabular feature " << name;
  return 0;
}

struct Window {
  std::vector<Candle> candles;
  std::vector<float> candle_features = std::vector<float>(kCandleFeatureCount, 0.0f);
  std::vector<float> indicator_features = std::vector<float>(kIndicatorFeatureCount, 0.0f);
  ContextFeatureRow context{};

  TabularRow row() const {
    return tabular_features({.candles = candles, .candle_features = candle_features,
                             .indicator_features = indicator_features, .context = &context});
  }
};

TEST(Tabular, NamesAreUniqueAndCoverEveryColumn) {
  const auto& names = tabular_feature_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_FALSE(names[i].empty()) << i;
    for (std::size_t j = i + 1; j < names.size(); ++j) EXPECT_NE(names[i], names[j]) << i << " " << j;
  }
  EXPECT_EQ(names[0], kCandleFeatureNames[0]);
  EXPECT_EQ(names[kTabularFeatureCount - 1], kContextFeatureNames.back());
}

TEST(Tabular, ReturnsOverLagsAreCappedInsideTheWindow) {
  Window w;
  w.candles = {bar(1, 1, 1, 1.0, 1), bar(1, 2, 1, 2.0, 1), bar(2, 4, 2, 4.0, 1), bar(4, 8, 4, 8.0, 1)};
  const TabularRow row = w.row();
  EXPECT_NEAR(row[index_of("log_return_1")], std::log(2.0), 1e-6);
  EXPECT_NEAR(row[index_of("log_return_3")], std::log(8.0), 1e-6);
  // Lags 6, 12 and 48 reach past the 4-bar window: capped at 3 bars.
  EXPECT_NEAR(row[index_of("log_return_6")], std::log(8.0), 1e-6);
  EXPECT_NEAR(row[index_of("log_return_48")], std::log(8.0), 1e-6);
  // Every one-bar return is ln 2: no spread.
  EXPECT_NEAR(row[index_of("window_volatility")], 0.0, 1e-6);
}

TEST(Tabular, RangeAndVolumeSummariesFollowTheirDefinitions) {
  Window w;
  w.candles = {bar(10, 12, 9, 11, 100), bar(11, 20, 10, 18, 300), bar(18, 19, 14, 15, 200)};
  const TabularRow row = w.row();
  EXPECT_NEAR(row[index_of("close_in_range")], (15.0 - 14.0) / (19.0 - 14.0), 1e-6);
  EXPECT_NEAR(row[index_of("log_close_to_window_high")], std::log(15.0 / 20.0), 1e-6);
  EXPECT_NEAR(row[index_of("log_close_to_window_low")], std::log(15.0 / 9.0), 1e-6);
  EXPECT_NEAR(row[index_of("volume_rel_window")], 200.0 / 200.0, 1e-6);
  const double r1 = std::log(18.0 / 11.0), r2 = std::log(15.0 / 18.0);
  EXPECT_NEAR(row[index_of("window_volatility")], std::abs(r1 - r2) / 2.0, 1e-6);
  // The last 12 bars are the whole 3-bar window here: the trend is ln 1 = 0.
  EXPECT_NEAR(row[index_of("log_volume_trend_12")], 0.0, 1e-6);
}

TEST(Tabular, VolumeTrendComparesTheLastTwelveBarsWithTheWindow) {
  Window w;
  for (int i = 0; i < 12; ++i) w.candles.push_back(bar(1, 1, 1, 1, 30));
  for (int i = 0; i < 12; ++i) w.candles.push_back(bar(1, 1, 1, 1, 10));  // volume drying up
  const TabularRow row = w.row();
  EXPECT_NEAR(row[index_of("log_volume_trend_12")], std::log(10.0 / 20.0), 1e-6);
  EXPECT_NEAR(row[index_of("close_in_range")], 0.5, 1e-6);  // a flat bar
}

TEST(Tabular, ZeroVolumeWindowsGiveZeroRatiosNotNaN) {
  Window w;
  w.candles = {bar(1, 1, 1, 1, 0), bar(1, 1, 1, 1, 0)};
  const TabularRow row = w.row();
  for (std::size_t i = 0; i < row.size(); ++i) EXPECT_TRUE(std::isfinite(row[i])) << tabular_feature_names()[i];
  EXPECT_EQ(row[index_of("volume_rel_window")], 0.0f);
  EXPECT_EQ(row[index_of("log_volume_trend_12")], 0.0f);
}

TEST(Tabular, CopiesTheLastBarsFeaturesAndTheContextInOrder) {
  Window w;
  w.candles = {bar(1, 1, 1, 1, 1), bar(1, 1, 1, 1, 1)};
  for (std::size_t i = 0; i < kCandleFeatureCount; ++i) w.candle_features[i] = 1.0f + i;
  for (std::size_t i = 0; i < kIndicatorFeatureCount; ++i) w.indicator_features[i] = 100.0f + i;
  for (std::size_t i = 0; i < kContextFeatureCount; ++i) w.context[i] = 1000.0 + i;
  const TabularRow row = w.row();
  EXPECT_EQ(row[index_of("log_return")], 1.0f);
  EXPECT_EQ(row[index_of("volume_rel_20")], 1.0f + kCandleFeatureCount - 1);
  EXPECT_EQ(row[index_of("rsi_14_frac")], 100.0f);
  EXPECT_EQ(row[index_of("vpt_flow_20")], 100.0f + kIndicatorFeatureCount - 1);
  EXPECT_EQ(row[index_of("log1p_initial_liquidity_usd")], 1000.0f);
  EXPECT_EQ(row[index_of("age_hours_missing")], 1000.0f + kContextFeatureCount - 1);
}

TEST(Tabular, RefusesAWindowOfOneBarOrMissingParts) {
  Window w;
  w.candles = {bar(1, 1, 1, 1, 1)};
  EXPECT_THROW(w.row(), std::invalid_argument);
  w.candles.push_back(bar(1, 1, 1, 1, 1));
  w.indicator_features.pop_back();
  EXPECT_THROW(w.row(), std::invalid_argument);
}

}  // namespace
}  // namespace snipe
