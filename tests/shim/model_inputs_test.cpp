// The shim's inputs from raw candles: the same float32 features the collector stored in the
// HDF5 shards, bit for bit, and a clear refusal for each kind of bad input.

#include "shim/src/model_inputs.h"

#include <bit>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "collector/collect_job.h"
#include "collector/sources/synthetic_source.h"
#include "shared/features/model_features.h"
#include "shared/comm/communicator.h"
#include "tests/shim/token_context.h"
#include "tests/support/series.h"
#include "tests/support/temp_dir.h"
#include "trainer/data/data_set.h"

namespace snipe::shim {
namespace {

using snipe::testing::context_values;
using snipe::testing::random_walk;
using snipe::testing::TempDir;

constexpr std::size_t kWindow = 20;

std::vector<std::uint32_t> bits(std::span<const float> values) {
  std::vector<std::uint32_t> out;
  for (const float v : values) out.push_back(std::bit_cast<std::uint32_t>(v));
  return out;
}

std::string message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

ContextValues unknown_context() {
  return context_values(TokenContext{});
}

TEST(ShimFeatures, AWindowEqualsTheStoredShardFeaturesBitForBit) {
  const TempDir dir;
  collector::SyntheticSource source({.seed = 11, .tokens = 4, .min_candles = 200, .max_candles = 260});
  snipe::PosixEnv env;
  collector::run_collect(source, *make_solo_communicator(),
                         {.out_dir = dir.path() / "data", .validation = {.min_candles = 100},
                          .labels = {.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5},
                          .config_fingerprint = "shim features test"}, env);
  const trainer::DataSet data = trainer::load_data_set(dir.path() / "data");  // read back from HDF5
  ASSERT_FALSE(data.series.empty());
  std::size_t windows = 0;
  for (const SeriesRecord& series : data.series) {
    for (std::size_t end = min_candles_for(kWindow) - 1; end < series.candles.size(); end += 17) {
      const WindowFeatures got = window_features(snipe::CandleSpan(series.candles).first(end + 1), kWindow, "token");
      const std::size_t first = end + 1 - kWindow;
      const auto stored_candle = std::span(series.candle_features)
                                     .subspan(first * kCandleFeatureCount, kWindow * kCandleFeatureCount);
      const auto stored_indicator = std::span(series.indicator_features)
                                        .subspan(first * kIndicatorFeatureCount, kWindow * kIndicatorFeatureCount);
      ASSERT_EQ(bits(got.candle), bits(stored_candle)) << series.token << " window ending at row " << end;
      ASSERT_EQ(bits(got.indicator), bits(stored_indicator)) << series.token << " window ending at row " << end;
      ++windows;
    }
  }
  EXPECT_GT(windows, 20u);
}

TEST(ShimFeatures, EveryFeatureOfTheWindowIsDefined) {
  const CandleSeries candles = random_walk(min_candles_for(kWindow), 3);
  const WindowFeatures got = window_features(candles, kWindow, "token");
  for (const float v : got.candle) EXPECT_TRUE(std::isfinite(v));
  for (const float v : got.indicator) EXPECT_TRUE(std::isfinite(v));
}

TEST(ShimFeatures, TooFewCandlesSaysHowManyAreNeeded) {
  const CandleSeries candles = random_walk(min_candles_for(kWindow) - 1, 3);
  const std::string message = message_of([&] { window_features(candles, kWindow, "token 4"); });
  EXPECT_NE(message.find("token 4"), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("at least {}", kWindow + kModelFeatureWarmup)), std::string::npos) << message;
  EXPECT_NE(message.find(std::to_string(candles.size()) + " candles"), std::string::npos) << message;
}

TEST(ShimFeatures, ANaNCloseIsRefusedWithItsRow) {
  CandleSeries candles = random_walk(100, 3);
  candles[57].close = std::numeric_limits<double>::quiet_NaN();
  const std::string message = message_of([&] { window_features(candles, kWindow, "token"); });
  EXPECT_NE(message.find("candle 57"), std::string::npos) << message;
  EXPECT_NE(message.find("non_finite"), std::string::npos) << message;
}

TEST(ShimFeatures, UnsortedOrRepeatedTimestampsAreRefused) {
  CandleSeries backwards = random_walk(100, 3);
  std::swap(backwards[80].timestamp, backwards[81].timestamp);
  const std::string message = message_of([&] { window_features(backwards, kWindow, "token"); });
  EXPECT_NE(message.find("timestamp_backwards"), std::string::npos) << message;
  EXPECT_NE(message.find("candle 81"), std::string::npos) << message;

  CandleSeries repeated = random_walk(100, 3);
  repeated[30].timestamp = repeated[29].timestamp;
  EXPECT_NE(message_of([&] { window_features(repeated, kWindow, "token"); }).find("duplicate_timestamp"),
            std::string::npos);
}

TEST(ShimFeatures, MillisecondTimestampsAreRefusedWithTheFix) {
  CandleSeries candles = random_walk(100, 3);
  for (snipe::Candle& c : candles) c.timestamp *= 1000;
  const std::string message = message_of([&] { window_features(candles, kWindow, "token"); });
  EXPECT_NE(message.find("looks like milliseconds"), std::string::npos) << message;
}

TEST(ShimFeatures, InconsistentBarsAreRefused) {
  CandleSeries candles = random_walk(100, 3);
  candles[10].high = candles[10].low * 0.5;
  EXPECT_NE(message_of([&] { window_features(candles, kWindow, "token"); }).find("high_below_low"),
            std::string::npos);
  candles = random_walk(100, 3);
  candles[12].volume = -1.0;
  EXPECT_NE(message_of([&] { window_features(candles, kWindow, "token"); }).find("negative_volume"),
            std::string::npos);
}

TEST(ShimContext, EveryFieldByNameWithUnknownsAsMissing) {
  TokenContext facts;
  facts[ContextField::kInitialLiquidityUsd] = 25'000.0;
  facts[ContextField::kLpBurned] = 1.0;
  ContextValues values = context_values(facts);
  std::reverse(values.begin(), values.end());  // order does not matter, names do
  EXPECT_EQ(parse_context(values, "token"), facts);
}

TEST(ShimContext, AMissingFieldIsNamed) {
  ContextValues values = unknown_context();
  values.erase(values.begin() + 3);  // lp_burned
  const std::string message = message_of([&] { parse_context(values, "token 2"); });
  EXPECT_NE(message.find("missing context field 'lp_burned'"), std::string::npos) << message;
  EXPECT_NE(message.find("token 2"), std::string::npos) << message;
}

TEST(ShimContext, UnknownDuplicateAndNonFiniteFieldsAreRefused) {
  ContextValues unknown = unknown_context();
  unknown.emplace_back("holder_count", 5.0);
  EXPECT_NE(message_of([&] { parse_context(unknown, "token"); }).find("unknown context field 'holder_count'"),
            std::string::npos);
  ContextValues twice = unknown_context();
  twice.push_back(twice.front());
  EXPECT_NE(message_of([&] { parse_context(twice, "token"); }).find("given twice"), std::string::npos);
  ContextValues nan = unknown_context();
  nan[1].second = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(message_of([&] { parse_context(nan, "token"); }).find("'top10_holder_share' is nan"), std::string::npos);
}

TEST(ShimInputs, ScalesTheWindowAndContextAsTheTrainerDoes) {
  const CandleSeries candles = random_walk(min_candles_for(kWindow) + 5, 9);
  Scalers scalers;
  const auto column = [](auto names, double center, double scale) {
    ColumnScaler s;
    s.names.assign(names.begin(), names.end());
    s.center.assign(names.size(), center);
    s.scale.assign(names.size(), scale);
    return s;
  };
  scalers = {column(kCandleFeatureNames, 0.25, 2.0), column(kIndicatorFeatureNames, -1.0, 4.0),
             column(kContextFeatureNames, 0.5, 0.5)};
  TokenContext facts;
  facts[ContextField::kAgeHours] = 3.0;
  std::vector<float> c(kWindow * kCandleFeatureCount), i(kWindow * kIndicatorFeatureCount), x(kContextFeatureCount);
  const std::vector<Candle> bars = shim_candles(candles);
  write_model_inputs({bars, context_values(facts)}, kWindow, scalers, "token", c, i, x);

  const WindowFeatures raw = window_features(candles, kWindow, "token");
  for (std::size_t k = 0; k < c.size(); ++k) {
    ASSERT_EQ(c[k], static_cast<float>((static_cast<double>(raw.candle[k]) - 0.25) / 2.0)) << k;
  }
  for (std::size_t k = 0; k < i.size(); ++k) {
    ASSERT_EQ(i[k], static_cast<float>((static_cast<double>(raw.indicator[k]) + 1.0) / 4.0)) << k;
  }
  const auto age = static_cast<std::size_t>(ContextField::kAgeHours);
  EXPECT_EQ(x[age], static_cast<float>((static_cast<double>(static_cast<float>(std::log1p(3.0))) - 0.5) / 0.5));
  EXPECT_EQ(x[kContextFieldCount + age], static_cast<float>((0.0 - 0.5) / 0.5));  // known: mask 0
  EXPECT_EQ(x[kContextFieldCount], static_cast<float>((1.0 - 0.5) / 0.5));        // liquidity unknown: mask 1
}

}  // namespace
}  // namespace snipe::shim
