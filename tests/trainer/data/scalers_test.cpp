#include "trainer/data/scalers.h"

#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"

namespace snipe::trainer {
namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

// A series whose every candle feature column and every indicator feature column holds
// `values` ([rows]), row by row.
SeriesRecord series_of(std::string token, const std::vector<float>& values, TokenContext context = {}) {
  SeriesRecord s;
  s.token = std::move(token);
  for (const float v : values) {
    s.candle_features.insert(s.candle_features.end(), kCandleFeatureCount, v);
    s.indicator_features.insert(s.indicator_features.end(), kIndicatorFeatureCount, v);
  }
  s.context = context;
  return s;
}

Example example(std::uint32_t series, std::uint32_t end_row, bool profitable = false, bool rug = false) {
  return {.series = series, .end_row = end_row, .profitable = profitable, .max_profit = 0.0f, .rug = rug};
}

// One series holding `values`, one train example whose window covers every row.
Scalers fit_all_rows(const std::vector<float>& values) {
  DataSet data;
  data.series.push_back(series_of("tok", values));
  const auto last = static_cast<std::uint32_t>(values.size() - 1);
  data.examples.push_back(example(0, last));
  return fit_scalers(data, {0}, values.size());
}

// Runs `fn`, expects a DataError whose message contains every one of `parts`.
void expect_data_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no DataError thrown";
  } catch (const DataError& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "missing '" << part << "' in: " << message;
    }
  }
}

// numpy's linear quantile: h = (n - 1) p, q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])
// over the sorted values. Each case below works this out by hand.
TEST(ScalersRobust, OddCountTakesTheMiddleValuesExactly) {
  // sorted {1, 2, 3, 4, 5}, n = 5: q25 h = 1 -> 2; median h = 2 -> 3; q75 h = 3 -> 4; IQR 2.
  const Scalers s = fit_all_rows({5, 1, 4, 2, 3});
  for (std::size_t f = 0; f < kCandleFeatureCount; ++f) {
    EXPECT_EQ(s.candle.center[f], 3.0);
    EXPECT_EQ(s.candle.scale[f], 2.0);
  }
}

TEST(ScalersRobust, EvenCountInterpolatesLinearly) {
  // sorted {0, 2, 4, 10}, n = 4: median h = 1.5 -> 2 + 0.5 (4 - 2) = 3;
  // q25 h = 0.75 -> 0 + 0.75 (2 - 0) = 1.5; q75 h = 2.25 -> 4 + 0.25 (10 - 4) = 5.5; IQR 4.
  const Scalers s = fit_all_rows({10, 0, 4, 2});
  EXPECT_EQ(s.candle.center[0], 3.0);
  EXPECT_EQ(s.candle.scale[0], 4.0);
}

TEST(ScalersRobust, TiesInterpolateBetweenEqualAndUnequalNeighbours) {
  // sorted {1, 1, 1, 2, 7, 7}, n = 6: median h = 2.5 -> 1 + 0.5 (2 - 1) = 1.5;
  // q25 h = 1.25 -> 1 + 0.25 (1 - 1) = 1; q75 h = 3.75 -> 2 + 0.75 (7 - 2) = 5.75; IQR 4.75.
  const Scalers s = fit_all_rows({7, 1, 2, 1, 7, 1});
  EXPECT_EQ(s.candle.center[0], 1.5);
  EXPECT_EQ(s.candle.scale[0], 4.75);
}

TEST(ScalersRobust, ZeroInterquartileRangeScalesByOne) {
  // sorted {0, 4, 4, 4, 9}: q25 h = 1 -> 4, q75 h = 3 -> 4: IQR 0 although the column varies.
  Scalers s = fit_all_rows({4, 9, 4, 0, 4});
  EXPECT_EQ(s.candle.center[0], 4.0);
  EXPECT_EQ(s.candle.scale[0], 1.0);
  s = fit_all_rows({0.7f, 0.7f, 0.7f});  // constant column
  EXPECT_EQ(s.candle.center[0], static_cast<double>(0.7f));
  EXPECT_EQ(s.candle.scale[0], 1.0);
}

TEST(ScalersStandard, UsesThePopulationStandardDeviation) {
  // {2, 4, 4, 4, 5, 5, 7, 9}: mean 40 / 8 = 5; squared deviations 9 1 1 1 0 0 4 16 sum to 32.
  // Population sd sqrt(32 / 8) = 2; the sample sd would be sqrt(32 / 7) ~ 2.138.
  const Scalers s = fit_all_rows({2, 4, 4, 4, 5, 5, 7, 9});
  for (std::size_t f = 0; f < kIndicatorFeatureCount; ++f) {
    EXPECT_DOUBLE_EQ(s.indicator.center[f], 5.0);
    EXPECT_DOUBLE_EQ(s.indicator.scale[f], 2.0);
  }
}

TEST(ScalersStandard, ConstantColumnScalesByOneEvenWhenItsMeanIsInexact) {
  // 0.1f summed 7 times and divided by 7 need not give back 0.1f exactly; the tiny
  // variance left must still count as 0, or the column would be blown up by ~1e16.
  const Scalers s = fit_all_rows(std::vector<float>(7, 0.1f));
  EXPECT_NEAR(s.indicator.center[0], static_cast<double>(0.1f), 1e-15);
  EXPECT_EQ(s.indicator.scale[0], 1.0);
}

TEST(ScalersStandard, StaysAccurateForALargeOffset) {
  // 1.6e7 + {-1, +1} (exact in float), 1000 rows: mean 1.6e7, population sd 1. The sum of
  // squares (~2.6e17) is past 2^53, so sum of squares minus square of sum loses the
  // variance (it gives 0.0625 here, checked in double); two passes keep it.
  std::vector<float> values;
  for (int i = 0; i < 1000; ++i) values.push_back(i % 2 == 0 ? 15999999.0f : 16000001.0f);
  const Scalers s = fit_all_rows(values);
  EXPECT_DOUBLE_EQ(s.indicator.center[0], 1.6e7);
  EXPECT_DOUBLE_EQ(s.indicator.scale[0], 1.0);
}

// Series A: rows 0..9; rows 0..4 hold {100, 1, 2, 3, 4}, rows 5..9 hold 1000 (never in a
// train window). Window 4; train examples end at rows 4 and 3 of A (windows [1, 4] and
// [0, 3]) and row 3 of B (window [0, 3]); A's example at row 9 is not in train.
// Union: A rows 0..4 {100, 1, 2, 3, 4} and B rows 0..3 {7, 8, 9, 10}, 9 values,
// sorted {1, 2, 3, 4, 7, 8, 9, 10, 100}: median h = 4 -> 7; q25 h = 2 -> 3; q75 h = 6 -> 9;
// IQR 6; mean 144 / 9 = 16.
// Counting overlaps twice would give {1, 1, 2, 2, 3, 3, 4, 7, 8, 9, 10, 100}: median
// h = 5.5 -> 3.5, mean 146 / 12. Merging rows across series would drop B: median 3.
DataSet overlapping_windows() {
  DataSet data;
  data.series.push_back(series_of("A", {100, 1, 2, 3, 4, 1000, 1000, 1000, 1000, 1000}));
  data.series.push_back(series_of("B", {7, 8, 9, 10}));
  data.examples = {example(0, 3), example(0, 4), example(0, 9), example(1, 3)};
  return data;
}

TEST(ScalersFit, CountsEachRowOfEachSeriesOnceWhenWindowsOverlap) {
  const Scalers s = fit_scalers(overlapping_windows(), {1, 0, 3}, 4);
  EXPECT_EQ(s.candle.center[0], 7.0);
  EXPECT_EQ(s.candle.scale[0], 6.0);
  EXPECT_DOUBLE_EQ(s.indicator.center[0], 16.0);
  // Squared deviations from 16 of 1 2 3 4 7 8 9 10 100: 225 196 169 144 81 64 49 36 7056,
  // sum 8020.
  EXPECT_DOUBLE_EQ(s.indicator.scale[0], std::sqrt(8020.0 / 9.0));
}

TEST(ScalersFit, NamesEveryColumnAfterThisBuildsFeatures) {
  const Scalers s = fit_scalers(overlapping_windows(), {0}, 4);
  EXPECT_EQ(s.candle.names,
            std::vector<std::string>(kCandleFeatureNames.begin(), kCandleFeatureNames.end()));
  EXPECT_EQ(s.indicator.names,
            std::vector<std::string>(kIndicatorFeatureNames.begin(), kIndicatorFeatureNames.end()));
  EXPECT_EQ(s.context.names,
            std::vector<std::string>(kContextFeatureNames.begin(), kContextFeatureNames.end()));
  EXPECT_EQ(s.indicator.center.size(), kIndicatorFeatureCount);
  EXPECT_EQ(s.context.scale.size(), kContextFeatureCount);
}

TEST(ScalersFit, WeightsContextByTrainExamplesPerSeries) {
  // A (top10_holder_share 0.5) has 3 train examples, B (share unknown -> value 0, mask 1)
  // has 1. Value column {0.5, 0.5, 0.5, 0}: mean 0.375, deviations 0.125 x3 and 0.375,
  // variance (3 * 0.015625 + 0.140625) / 4 = 0.046875. Mask column {0, 0, 0, 1}: mean 0.25,
  // variance (3 * 0.0625 + 0.5625) / 4 = 0.1875. One row per series would give mean 0.25.
  TokenContext a;
  a[ContextField::kTop10HolderShare] = 0.5;
  a[ContextField::kLpBurned] = 1.0;
  TokenContext b;
  b[ContextField::kLpBurned] = 1.0;
  DataSet data;
  data.series.push_back(series_of("A", {1, 2, 3, 4}, a));
  data.series.push_back(series_of("B", {1, 2, 3, 4}, b));
  data.examples = {example(0, 1), example(0, 2), example(0, 3), example(1, 3)};
  const Scalers s = fit_scalers(data, {0, 1, 2, 3}, 1);
  const auto share = static_cast<std::size_t>(ContextField::kTop10HolderShare);
  const std::size_t share_missing = kContextFieldCount + share;
  EXPECT_DOUBLE_EQ(s.context.center[share], 0.375);
  EXPECT_DOUBLE_EQ(s.context.scale[share], std::sqrt(0.046875));
  EXPECT_DOUBLE_EQ(s.context.center[share_missing], 0.25);
  EXPECT_DOUBLE_EQ(s.context.scale[share_missing], std::sqrt(0.1875));
  // lp_burned is 1 everywhere, liquidity missing everywhere (0 with mask 1): constant.
  const auto lp = static_cast<std::size_t>(ContextField::kLpBurned);
  EXPECT_DOUBLE_EQ(s.context.center[lp], 1.0);
  EXPECT_EQ(s.context.scale[lp], 1.0);
  EXPECT_DOUBLE_EQ(s.context.center[kContextFieldCount], 1.0);
  EXPECT_EQ(s.context.scale[kContextFieldCount], 1.0);
}

TEST(ScalersFit, NaNInATrainWindowNamesTheFeature) {
  DataSet data;
  data.series.push_back(series_of("A", {1, 2, 3, 4}));
  data.examples = {example(0, 3)};
  data.series[0].candle_features[2 * kCandleFeatureCount + 3] = kNaNf;  // row 2, log1p_volume
  expect_data_error([&] { fit_scalers(data, {0}, 4); }, {"log1p_volume", "HINT"});

  data.series[0] = series_of("A", {1, 2, 3, 4});
  data.series[0].indicator_features[1 * kIndicatorFeatureCount + 7] = kNaNf;  // row 1, bb_pctb
  expect_data_error([&] { fit_scalers(data, {0}, 4); }, {"indicator feature bb_pctb"});

  data.series[0] = series_of("A", {1, 2, 3, 4});
  data.series[0].context[ContextField::kTop10HolderShare] = std::nan("");
  expect_data_error([&] { fit_scalers(data, {0}, 4); }, {"context feature top10_holder_share"});
}

TEST(ScalersFit, NaNOutsideTheTrainWindowsIsIgnored) {
  // Rows 0..1 are NaN (a warm-up); the window [2, 3] does not reach them.
  DataSet data;
  data.series.push_back(series_of("A", {kNaNf, kNaNf, 2, 6}));
  data.examples = {example(0, 3)};
  const Scalers s = fit_scalers(data, {0}, 2);
  EXPECT_EQ(s.candle.center[0], 4.0);  // {2, 6}: h = 0.5 -> 2 + 0.5 * 4
  EXPECT_DOUBLE_EQ(s.indicator.scale[0], 2.0);  // mean 4, deviations +-2
}

TEST(ScalersFit, RejectsAnExampleOutsideTheDataSet) {
  DataSet data;
  data.series.push_back(series_of("A", {1, 2}));
  data.examples = {example(0, 5)};
  expect_data_error([&] { fit_scalers(data, {0}, 2); }, {"end row 5"});
  expect_data_error([&] { fit_scalers(data, {7}, 2); }, {"train example 7"});
  expect_data_error([&] { fit_scalers(data, {}, 2); }, {"no train examples"});
}

TEST(ColumnScaler, AppliesInPlaceInDouble) {
  const ColumnScaler scaler{.names = {"a", "b", "c", "d"},
                            .center = {1.0, -2.0, 0.5, 0.1},
                            .scale = {2.0, 4.0, 0.25, 1.0}};
  std::vector<float> row = {3.0f, 2.0f, 1.0f, 0.1f};
  scaler.apply(row);
  EXPECT_EQ(row[0], 1.0f);  // (3 - 1) / 2
  EXPECT_EQ(row[1], 1.0f);  // (2 + 2) / 4
  EXPECT_EQ(row[2], 2.0f);  // (1 - 0.5) / 0.25
  // 0.1f = 0.100000001490116..., the double 0.1 = 0.1000000000000000055...: their difference
  // 1.4901161e-9 survives in double; in float (0.1f - 0.1f) it would be 0.
  EXPECT_NEAR(row[3], 1.4901161e-9, 1e-15);
}

// Scalers with this build's names and values that need all 17 digits to round-trip.
Scalers sample_scalers() {
  const auto column = [](auto names, double offset) {
    ColumnScaler c;
    for (std::size_t i = 0; i < names.size(); ++i) {
      c.names.emplace_back(names[i]);
      c.center.push_back(offset + static_cast<double>(i) / 3.0 - 0.1);
      c.scale.push_back(1.0 / (7.0 + static_cast<double>(i)) + 1e-300);
    }
    return c;
  };
  Scalers s{.candle = column(kCandleFeatureNames, 1e-7),
            .indicator = column(kIndicatorFeatureNames, -12345.678901234567),
            .context = column(kContextFeatureNames, 3.141592653589793)};
  s.candle.scale[0] = 5e-324;  // the smallest subnormal
  return s;
}

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

TEST(ScalersJson, HasThePrototypesShape) {
  const nlohmann::json j = scalers_to_json(sample_scalers());
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"candle_scaler", "indicator_scaler", "context_scaler"}));
  EXPECT_EQ(keys_of(j["candle_scaler"]), (std::set<std::string>{"center_", "scale_", "feature_names"}));
  EXPECT_EQ(keys_of(j["indicator_scaler"]), (std::set<std::string>{"mean_", "scale_", "feature_names"}));
  EXPECT_EQ(keys_of(j["context_scaler"]), (std::set<std::string>{"mean_", "scale_", "feature_names"}));
  EXPECT_EQ(j["candle_scaler"]["feature_names"][0], "log_return");
  EXPECT_EQ(j["indicator_scaler"]["mean_"].size(), kIndicatorFeatureCount);
  EXPECT_EQ(j["context_scaler"]["scale_"][1], 1.0 / 8.0 + 1e-300);
}

TEST(ScalersJson, RoundTripsExactlyThroughText) {
  const Scalers original = sample_scalers();
  const std::string text = scalers_to_json(original).dump();
  const Scalers back = scalers_from_json(nlohmann::json::parse(text));
  for (const auto& [a, b] : {std::pair{&original.candle, &back.candle},
                             std::pair{&original.indicator, &back.indicator},
                             std::pair{&original.context, &back.context}}) {
    EXPECT_EQ(a->names, b->names);
    EXPECT_EQ(a->center, b->center);  // bit-exact, not approximately
    EXPECT_EQ(a->scale, b->scale);
  }
}

TEST(ScalersJson, RejectsBrokenDocumentsNamingTheField) {
  const nlohmann::json good = scalers_to_json(sample_scalers());
  const auto rejects = [&](const std::function<void(nlohmann::json&)>& damage,
                           const std::vector<std::string>& parts) {
    nlohmann::json j = good;
    damage(j);
    expect_data_error([&] { scalers_from_json(j); }, parts);
  };
  rejects([](auto& j) { j.erase("context_scaler"); }, {"context_scaler is missing"});
  rejects([](auto& j) { j["candle_scaler"].erase("center_"); }, {"candle_scaler.center_ is missing"});
  rejects([](auto& j) { j["indicator_scaler"].erase("feature_names"); },
          {"indicator_scaler.feature_names is missing"});
  rejects([](auto& j) { j["indicator_scaler"]["scale_"].erase(3); },
          {"indicator_scaler.scale_ has 18 entries", "indicator_scaler.mean_ has 19"});
  rejects([](auto& j) { j["context_scaler"]["scale_"][3] = 0.0; }, {"context_scaler.scale_[3]", "> 0"});
  rejects([](auto& j) { j["candle_scaler"]["scale_"][1] = -2.0; }, {"candle_scaler.scale_[1]"});
  rejects([](auto& j) { j["candle_scaler"]["center_"][2] = "x"; },
          {"candle_scaler.center_[2] is not a number"});
  rejects([](auto& j) { j["candle_scaler"]["feature_names"][0] = "log_ret"; },
          {"candle_scaler.feature_names", "log_ret", "HINT", "another snipe version"});
  rejects([](auto& j) { j = nlohmann::json::array(); }, {"candle_scaler is missing"});
  // Same lengths but fewer features than this build: a version mismatch, not a typo.
  rejects([](auto& j) {
    for (const char* key : {"center_", "scale_", "feature_names"}) j["candle_scaler"][key].erase(4);
  }, {"candle_scaler.feature_names", "HINT"});
}

// 12 examples; train is the first 10: 3 profitable, 5 rugs. Examples 10 and 11 (not in
// train) are profitable and no rug, which would change the counts if they leaked in.
DataSet labelled() {
  DataSet data;
  data.series.push_back(series_of("A", std::vector<float>(12, 1.0f)));
  for (std::uint32_t i = 0; i < 12; ++i) {
    data.examples.push_back(example(0, i, i < 3 || i >= 10, i % 2 == 0 && i < 10));
  }
  return data;
}

TEST(ClassWeights, AreBalancedOverTheTrainExamples) {
  std::vector<std::uint32_t> train(10);
  for (std::uint32_t i = 0; i < 10; ++i) train[i] = i;
  const LabelWeights w = balanced_class_weights(labelled(), train);
  EXPECT_DOUBLE_EQ(w.profitable.positive, 10.0 / 6.0);   // n / (2 * 3)
  EXPECT_DOUBLE_EQ(w.profitable.negative, 10.0 / 14.0);  // n / (2 * 7)
  EXPECT_DOUBLE_EQ(w.rug.positive, 1.0);                 // 10 / (2 * 5)
  EXPECT_DOUBLE_EQ(w.rug.negative, 1.0);
}

TEST(ClassWeights, AnAbsentClassNamesTheLabel) {
  // From labelled(): profitable = {0, 1, 2}, rug = {0, 2, 4, 6, 8} among rows 0..9.
  expect_data_error([] { balanced_class_weights(labelled(), {3, 4}); },  // neither profitable
                    {"profitable = 1", "larger data set", "barriers"});
  expect_data_error([] { balanced_class_weights(labelled(), {0, 1}); }, {"profitable = 0"});
  expect_data_error([] { balanced_class_weights(labelled(), {1, 3}); }, {"rug = 1"});
  expect_data_error([] { balanced_class_weights(labelled(), {0, 4}); }, {"rug = 0"});
}

}  // namespace
}  // namespace snipe::trainer
