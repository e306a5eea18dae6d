#include "shared/features/labels.h"

#include <limits>

#include <gtest/gtest.h>

#include "tests/support/series.h"

namespace snipe {
namespace {

// Entry bar closes at 100; each later bar is given as (high, low). With take_profit 0.2,
// stop_loss 0.1 and rug_drop 0.8 the barriers are 120 (TP), 90 (SL) and 20 (rug).
CandleSeries entry_then(std::initializer_list<std::pair<double, double>> bars) {
  CandleSeries candles = {{0, 100, 100, 100, 100, 1}};
  std::int64_t t = 0;
  for (const auto& [high, low] : bars) {
    t += 300;
    const double mid = (high + low) / 2;
    candles.push_back({t, mid, high, low, mid, 1});
  }
  return candles;
}

LabelOptions options(std::size_t horizon) {
  return {.horizon = horizon, .take_profit = 0.2, .stop_loss = 0.1, .rug_drop = 0.8};
}

TEST(Labels, TakeProfitBeforeStopLossIsProfitable) {
  const auto candles = entry_then({{110, 95}, {121, 99}, {100, 80}, {105, 95}});
  const auto label = label_at(candles, 0, options(4));
  ASSERT_TRUE(label);
  EXPECT_TRUE(label->profitable);
  EXPECT_EQ(label->exit, BarrierExit::kTakeProfit);
  EXPECT_EQ(label->exit_offset, 2u);
  EXPECT_DOUBLE_EQ(label->max_profit, 0.21);  // 121 / 100 - 1: the whole horizon counts
  EXPECT_FALSE(label->rug);
}

TEST(Labels, StopLossFirstIsNotProfitableEvenIfTakeProfitFollows) {
  const auto candles = entry_then({{105, 89}, {130, 100}});
  const auto label = label_at(candles, 0, options(2));
  ASSERT_TRUE(label);
  EXPECT_FALSE(label->profitable);
  EXPECT_EQ(label->exit, BarrierExit::kStopLoss);
  EXPECT_EQ(label->exit_offset, 1u);
  EXPECT_DOUBLE_EQ(label->max_profit, 0.3);
}

TEST(Labels, BothBarriersInOneCandleCountAsStopLoss) {
  const auto candles = entry_then({{125, 85}});
  const auto label = label_at(candles, 0, options(1));
  ASSERT_TRUE(label);
  EXPECT_FALSE(label->profitable);
  EXPECT_EQ(label->exit, BarrierExit::kStopLoss);
}

TEST(Labels, TouchingABarrierExactlyCounts) {
  const auto tp = label_at(entry_then({{120, 95}}), 0, options(1));
  EXPECT_TRUE(tp->profitable);
  const auto sl = label_at(entry_then({{110, 90}}), 0, options(1));
  EXPECT_EQ(sl->exit, BarrierExit::kStopLoss);
}

TEST(Labels, DecimalBarriersAreTouchedExactlyAtTheirValue) {
  // In binary, 100 * (1 + 0.09) is 109.00000000000001 and 100 * (1 - 0.34) is
  // 65.99999999999999: bars reaching exactly 109 and 66 must still hit the barriers.
  LabelOptions opts = options(1);
  opts.take_profit = 0.09;
  EXPECT_TRUE(label_at(entry_then({{109, 95}}), 0, opts)->profitable);
  opts.stop_loss = 0.34;
  EXPECT_EQ(label_at(entry_then({{100, 66}}), 0, opts)->exit, BarrierExit::kStopLoss);
}

TEST(Labels, NeitherBarrierWithinHorizonExitsAtTheHorizon) {
  const auto candles = entry_then({{110, 95}, {119, 91}, {101, 99}, {150, 10}});
  const auto label = label_at(candles, 0, options(3));  // the 4th bar is past the horizon
  ASSERT_TRUE(label);
  EXPECT_FALSE(label->profitable);
  EXPECT_EQ(label->exit, BarrierExit::kHorizon);
  EXPECT_EQ(label->exit_offset, 3u);
  EXPECT_DOUBLE_EQ(label->max_profit, 0.19);
  EXPECT_FALSE(label->rug) << "the rug after the horizon must not count";
}

TEST(Labels, MaxProfitIsNegativeWhenPriceOnlyFalls) {
  const auto label = label_at(entry_then({{95, 92}, {96, 91}}), 0, options(2));
  EXPECT_NEAR(label->max_profit, -0.04, 1e-15);
}

TEST(Labels, RugWhenTheLowReachesTheRugDrop) {
  // 100 * (1 - 0.8) is 19.999999999999996 in binary: a low of exactly 20 must still count.
  EXPECT_TRUE(label_at(entry_then({{100, 50}, {60, 20}}), 0, options(2))->rug);
  EXPECT_FALSE(label_at(entry_then({{100, 50}, {60, 20.001}}), 0, options(2))->rug);
}

TEST(Labels, HorizonPastTheEndHasNoLabel) {
  const auto candles = entry_then({{110, 95}, {110, 95}, {110, 95}});  // rows 0..3
  EXPECT_TRUE(label_at(candles, 0, options(3)).has_value());
  EXPECT_FALSE(label_at(candles, 1, options(3)).has_value());
  EXPECT_FALSE(label_at(candles, 0, options(4)).has_value());
  EXPECT_FALSE(label_at(candles, 99, options(1)).has_value());
}

TEST(Labels, NonFinitePriceInTheHorizonGivesNoLabel) {
  auto candles = entry_then({{110, 95}, {121, 99}});
  candles[1].high = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(label_at(candles, 0, options(2)).has_value());
  candles[1].high = 110;
  candles[0].close = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(label_at(candles, 0, options(2)).has_value());
}

TEST(Labels, SeriesLabelsEveryRowExceptTheLastHorizon) {
  const auto candles = testing::random_walk(200, 5);
  const auto opts = options(24);
  const auto labels = label_series(candles, opts);
  ASSERT_EQ(labels.size(), candles.size());
  for (std::size_t t = 0; t < candles.size(); ++t) {
    const auto single = label_at(candles, t, opts);
    ASSERT_EQ(labels[t].has_value(), t + opts.horizon < candles.size()) << t;
    if (!single) continue;
    EXPECT_EQ(labels[t]->profitable, single->profitable);
    EXPECT_EQ(labels[t]->max_profit, single->max_profit);
    EXPECT_EQ(labels[t]->rug, single->rug);
  }
}

TEST(Labels, UnchangedWhenEveryPriceIsScaled) {
  const auto candles = testing::random_walk(400, 8, 2.0e-9);
  CandleSeries scaled = candles;
  for (Candle& c : scaled) {
    c.open *= 1e6, c.high *= 1e6, c.low *= 1e6, c.close *= 1e6;
  }
  const LabelOptions opts{.horizon = 12, .take_profit = 0.05, .stop_loss = 0.03, .rug_drop = 0.1};
  const auto a = label_series(candles, opts);
  const auto b = label_series(scaled, opts);
  std::size_t profitable = 0;
  for (std::size_t t = 0; t + opts.horizon < candles.size(); ++t) {
    EXPECT_EQ(a[t]->profitable, b[t]->profitable) << t;
    EXPECT_EQ(a[t]->rug, b[t]->rug) << t;
    EXPECT_NEAR(a[t]->max_profit, b[t]->max_profit, 1e-12) << t;
    profitable += a[t]->profitable;
  }
  EXPECT_GT(profitable, 0u) << "the series must exercise both outcomes";
}

}  // namespace
}  // namespace snipe
