#include "shared/features/model_features.h"

#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "tests/support/series.h"

namespace snipe {
namespace {

CandleSeries scaled(CandleSeries candles, double factor) {
  for (Candle& c : candles) {
    c.open *= factor, c.high *= factor, c.low *= factor, c.close *= factor;
  }
  return candles;
}

// |a - b| within `tolerance` of max(1, |a|), or both NaN.
void expect_close(double a, double b, double tolerance, const std::string& what) {
  if (std::isnan(a) || std::isnan(b)) {
    EXPECT_TRUE(std::isnan(a) && std::isnan(b)) << what << ": " << a << " vs " << b;
    return;
  }
  EXPECT_NEAR(a, b, tolerance * std::max(1.0, std::abs(a))) << what;
}

void expect_tables_close(const Table& a, const Table& b, std::span<const std::string_view> names,
                         double tolerance) {
  ASSERT_EQ(a.rows, b.rows);
  for (std::size_t t = 0; t < a.rows; ++t) {
    for (std::size_t f = 0; f < a.cols; ++f) {
      expect_close(a.at(t, f), b.at(t, f), tolerance,
                   std::string(names[f]) + " at row " + std::to_string(t));
    }
  }
}

TEST(ModelFeatures, UnchangedWhenEveryPriceIsMultipliedByAMillion) {
  const auto candles = testing::random_walk(500, 21, 3.0e-9);  // a fresh token's price
  for (const double factor : {1e6, 1e-3}) {
    const SeriesFeatures base = compute_features(candles);
    const SeriesFeatures big = compute_features(scaled(candles, factor));
    expect_tables_close(base.candle, big.candle, kCandleFeatureNames, 1e-9);
    expect_tables_close(base.indicator, big.indicator, kIndicatorFeatureNames, 1e-9);
  }
}

TEST(ModelFeatures, RawPriceIndicatorsDoScaleSoTheTestAboveMeansSomething) {
  const auto candles = testing::random_walk(100, 21, 3.0e-9);
  const Table base = compute_features(candles).indicators;
  const Table big = compute_features(scaled(candles, 1e6)).indicators;
  const auto ema9 = static_cast<std::size_t>(Indicator::kEma9);
  EXPECT_NEAR(big.at(60, ema9) / base.at(60, ema9), 1e6, 1e-3);
}

TEST(ModelFeatures, EveryFeatureIsDefinedFromTheWarmupRowAndNotAllBefore) {
  const auto candles = testing::random_walk(120, 4);
  const SeriesFeatures f = compute_features(candles);
  for (std::size_t t = kModelFeatureWarmup; t < candles.size(); ++t) {
    for (std::size_t i = 0; i < kCandleFeatureCount; ++i) {
      EXPECT_TRUE(std::isfinite(f.candle.at(t, i))) << kCandleFeatureNames[i] << " row " << t;
    }
    for (std::size_t i = 0; i < kIndicatorFeatureCount; ++i) {
      EXPECT_TRUE(std::isfinite(f.indicator.at(t, i))) << kIndicatorFeatureNames[i] << " row " << t;
    }
  }
  const auto ema50 = static_cast<std::size_t>(IndicatorFeature::kEma50Rel);
  EXPECT_TRUE(std::isnan(f.indicator.at(kModelFeatureWarmup - 1, ema50)));
}

TEST(ModelFeatures, CandleFeaturesFollowTheirDefinitions) {
  const auto candles = testing::random_walk(60, 9);
  const Table f = compute_features(candles).candle;
  const auto col = [](CandleFeature c) { return static_cast<std::size_t>(c); };
  EXPECT_TRUE(std::isnan(f.at(0, col(CandleFeature::kLogReturn))));
  for (std::size_t t = 1; t < candles.size(); ++t) {
    const Candle& c = candles[t];
    EXPECT_DOUBLE_EQ(f.at(t, col(CandleFeature::kLogReturn)), std::log(c.close / candles[t - 1].close));
    EXPECT_DOUBLE_EQ(f.at(t, col(CandleFeature::kLogHighLow)), std::log(c.high / c.low));
    EXPECT_DOUBLE_EQ(f.at(t, col(CandleFeature::kLogCloseOpen)), std::log(c.close / c.open));
    EXPECT_DOUBLE_EQ(f.at(t, col(CandleFeature::kLog1pVolume)), std::log1p(c.volume));
  }
  // volume_rel_20 at row 30: volume over the mean of rows 11..30.
  double sum = 0;
  for (std::size_t t = 11; t <= 30; ++t) sum += candles[t].volume;
  EXPECT_NEAR(f.at(30, col(CandleFeature::kVolumeRel20)), candles[30].volume / (sum / 20), 1e-12);
  EXPECT_TRUE(std::isnan(f.at(18, col(CandleFeature::kVolumeRel20))));
}

TEST(ModelFeatures, FlowFeaturesAreVolumeWeightedOverTwentyBars) {
  const auto candles = testing::random_walk(80, 13);
  const Table f = compute_features(candles).indicator;
  for (const std::size_t t : {20u, 47u, 79u}) {
    double signed_volume = 0, weighted_return = 0, volume = 0;
    for (std::size_t k = t - 19; k <= t; ++k) {
      const double change = candles[k].close - candles[k - 1].close;
      if (change > 0) signed_volume += candles[k].volume;
      if (change < 0) signed_volume -= candles[k].volume;
      weighted_return += candles[k].volume * change / candles[k - 1].close;
      volume += candles[k].volume;
    }
    EXPECT_NEAR(f.at(t, static_cast<std::size_t>(IndicatorFeature::kObvFlow20)), signed_volume / volume, 1e-12);
    EXPECT_NEAR(f.at(t, static_cast<std::size_t>(IndicatorFeature::kVptFlow20)), weighted_return / volume, 1e-12);
  }
  EXPECT_TRUE(std::isnan(f.at(19, static_cast<std::size_t>(IndicatorFeature::kObvFlow20))));
}

TEST(ModelFeatures, IndicatorFeaturesAreTheRawIndicatorsInRelativeForm) {
  const auto candles = testing::random_walk(90, 17);
  const SeriesFeatures f = compute_features(candles);
  const std::size_t t = 70;
  const double close = candles[t].close;
  const auto raw = [&](Indicator i) { return f.indicators.at(t, static_cast<std::size_t>(i)); };
  const auto feature = [&](IndicatorFeature i) { return f.indicator.at(t, static_cast<std::size_t>(i)); };
  EXPECT_DOUBLE_EQ(feature(IndicatorFeature::kRsi14Frac), raw(Indicator::kRsi14) / 100);
  EXPECT_DOUBLE_EQ(feature(IndicatorFeature::kEma21Rel), raw(Indicator::kEma21) / close - 1);
  EXPECT_DOUBLE_EQ(feature(IndicatorFeature::kMacdHistRel), raw(Indicator::kMacdHist) / close);
  EXPECT_DOUBLE_EQ(feature(IndicatorFeature::kAtr14Rel), raw(Indicator::kAtr14) / close);
  EXPECT_DOUBLE_EQ(feature(IndicatorFeature::kWilliamsRFrac), raw(Indicator::kWilliamsR) / 100);
  EXPECT_DOUBLE_EQ(feature(IndicatorFeature::kBbPctB), raw(Indicator::kBbPctB));
}

TEST(ModelFeatures, BoundedFeaturesStayInTheirRanges) {
  const auto candles = testing::random_walk(2000, 31);
  const Table f = compute_features(candles).indicator;
  const auto col = [](IndicatorFeature i) { return static_cast<std::size_t>(i); };
  for (std::size_t t = kModelFeatureWarmup; t < candles.size(); ++t) {
    for (const auto unit : {IndicatorFeature::kRsi14Frac, IndicatorFeature::kStochKFrac,
                            IndicatorFeature::kStochDFrac, IndicatorFeature::kMfi14Frac}) {
      EXPECT_GE(f.at(t, col(unit)), 0.0);
      EXPECT_LE(f.at(t, col(unit)), 1.0);
    }
    EXPECT_GE(f.at(t, col(IndicatorFeature::kWilliamsRFrac)), -1.0);
    EXPECT_LE(f.at(t, col(IndicatorFeature::kWilliamsRFrac)), 0.0);
    EXPECT_LE(std::abs(f.at(t, col(IndicatorFeature::kObvFlow20))), 1.0 + 1e-12);
  }
}

TEST(ModelFeatures, NoVolumeAtAllReadsAsZeroFlowNotNan) {
  CandleSeries candles = testing::random_walk(60, 2);
  for (Candle& c : candles) c.volume = 0;
  const SeriesFeatures f = compute_features(candles);
  EXPECT_EQ(f.candle.at(59, static_cast<std::size_t>(CandleFeature::kVolumeRel20)), 0.0);
  EXPECT_EQ(f.indicator.at(59, static_cast<std::size_t>(IndicatorFeature::kObvFlow20)), 0.0);
  EXPECT_EQ(f.indicator.at(59, static_cast<std::size_t>(IndicatorFeature::kVptFlow20)), 0.0);
}

TEST(ModelFeatures, ACopiedStreamContinuesExactlyLikeTheOriginal) {
  // The shim snapshots a token's stream (hot reload, several models on one feed): a copy
  // taken mid-series must continue bit for bit like the stream it was copied from and
  // like the batch computation over the whole series.
  const auto candles = testing::random_walk(300, 77, 5e-7);
  const SeriesFeatures batch = compute_features(candles);
  FeatureStream original;
  for (std::size_t t = 0; t < 150; ++t) original.push(candles[t]);
  FeatureStream copy = original;
  for (std::size_t t = 150; t < candles.size(); ++t) {
    const FeatureRow a = original.push(candles[t]);
    const FeatureRow b = copy.push(candles[t]);
    ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << t;
    ASSERT_EQ(std::memcmp(b.candle.data(), batch.candle.row(t).data(), sizeof b.candle), 0) << t;
    ASSERT_EQ(std::memcmp(b.indicator.data(), batch.indicator.row(t).data(), sizeof b.indicator), 0) << t;
  }
  EXPECT_EQ(copy.count(), candles.size());
}

}  // namespace
}  // namespace snipe
