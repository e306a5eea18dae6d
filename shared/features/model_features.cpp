#include "shared/features/model_features.h"

#include <algorithm>
#include <cmath>

namespace snipe {
namespace {

using rolling::kNaN;

template <class Row, class Enum>
void set(Row& row, Enum i, double value) {
  row[static_cast<std::size_t>(i)] = value;
}

// numerator / denominator, 0 when the denominator is 0 (no volume: no flow).
double ratio_or_zero(double numerator, double denominator) {
  return denominator == 0.0 ? 0.0 : numerator / denominator;
}

template <std::size_t N>
void copy_row(const std::array<double, N>& from, Table& to, std::size_t row) {
  std::copy(from.begin(), from.end(), to.row(row).begin());
}

}  // namespace

FeatureRow FeatureStream::push(const Candle& c) {
  FeatureRow out;
  out.indicators = indicators_.push(c);
  out.candle = candle_features(c);
  out.indicator = indicator_features(out.indicators, c.close);
  prev_close_ = c.close;
  return out;
}

CandleFeatureRow FeatureStream::candle_features(const Candle& c) {
  CandleFeatureRow row;
  set(row, CandleFeature::kLogReturn, std::log(c.close / prev_close_));  // NaN at t = 0
  set(row, CandleFeature::kLogHighLow, std::log(c.high / c.low));
  set(row, CandleFeature::kLogCloseOpen, std::log(c.close / c.open));
  set(row, CandleFeature::kLog1pVolume, std::log1p(c.volume));
  volumes_.push(c.volume);
  set(row, CandleFeature::kVolumeRel20,
      volumes_.full() ? ratio_or_zero(c.volume, volumes_.mean()) : kNaN);
  return row;
}

IndicatorFeatureRow FeatureStream::indicator_features(const IndicatorRow& raw, double close) {
  const auto at = [&](Indicator i) { return get(raw, i); };
  IndicatorFeatureRow row;
  set(row, IndicatorFeature::kRsi14Frac, at(Indicator::kRsi14) / 100.0);
  set(row, IndicatorFeature::kEma9Rel, at(Indicator::kEma9) / close - 1.0);
  set(row, IndicatorFeature::kEma21Rel, at(Indicator::kEma21) / close - 1.0);
  set(row, IndicatorFeature::kEma50Rel, at(Indicator::kEma50) / close - 1.0);
  set(row, IndicatorFeature::kMacdRel, at(Indicator::kMacd) / close);
  set(row, IndicatorFeature::kMacdSignalRel, at(Indicator::kMacdSignal) / close);
  set(row, IndicatorFeature::kMacdHistRel, at(Indicator::kMacdHist) / close);
  set(row, IndicatorFeature::kBbPctB, at(Indicator::kBbPctB));
  set(row, IndicatorFeature::kBbWidth, at(Indicator::kBbWidth));
  set(row, IndicatorFeature::kAtr14Rel, at(Indicator::kAtr14) / close);
  set(row, IndicatorFeature::kVolatility20, at(Indicator::kVolatility20));
  set(row, IndicatorFeature::kParkinson20, at(Indicator::kParkinson20));
  set(row, IndicatorFeature::kRoc10, at(Indicator::kRoc10));
  set(row, IndicatorFeature::kStochKFrac, at(Indicator::kStochK) / 100.0);
  set(row, IndicatorFeature::kStochDFrac, at(Indicator::kStochD) / 100.0);
  set(row, IndicatorFeature::kWilliamsRFrac, at(Indicator::kWilliamsR) / 100.0);
  set(row, IndicatorFeature::kMfi14Frac, at(Indicator::kMfi14) / 100.0);

  obv_history_.push(at(Indicator::kObv));
  vpt_history_.push(at(Indicator::kVpt));
  double obv_flow = kNaN, vpt_flow = kNaN;
  if (obv_history_.full()) {
    const double volume_sum = volumes_.sum();  // volumes_ holds the same last 20 bars
    obv_flow = ratio_or_zero(obv_history_.back(0) - obv_history_.back(20), volume_sum);
    vpt_flow = ratio_or_zero(vpt_history_.back(0) - vpt_history_.back(20), volume_sum);
  }
  set(row, IndicatorFeature::kObvFlow20, obv_flow);
  set(row, IndicatorFeature::kVptFlow20, vpt_flow);
  return row;
}

SeriesFeatures compute_features(CandleSpan candles) {
  const std::size_t rows = candles.size();
  SeriesFeatures out{Table(rows, kIndicatorCount), Table(rows, kCandleFeatureCount),
                     Table(rows, kIndicatorFeatureCount)};
  FeatureStream stream;
  for (std::size_t t = 0; t < rows; ++t) {
    const FeatureRow row = stream.push(candles[t]);
    copy_row(row.indicators, out.indicators, t);
    copy_row(row.candle, out.candle, t);
    copy_row(row.indicator, out.indicator, t);
  }
  return out;
}

}  // namespace snipe
