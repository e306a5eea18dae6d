#include "shared/features/indicators.h"

#include <cmath>
#include <numbers>

namespace snipe {
namespace {

using rolling::kNaN;

void set(IndicatorRow& row, Indicator i, double value) { row[static_cast<std::size_t>(i)] = value; }

// 100 - 100 / (1 + up / down) with the zero-denominator conventions of RSI and MFI.
double oscillator_0_100(double up, double down) {
  if (std::isnan(up) || std::isnan(down)) return kNaN;
  if (down == 0.0) return up == 0.0 ? 50.0 : 100.0;
  return 100.0 - 100.0 / (1.0 + up / down);
}

}  // namespace

IndicatorRow IndicatorStream::push(const Candle& c) {
  IndicatorRow out;
  out.fill(kNaN);
  const bool has_prev = count_ > 0;
  const double change = has_prev ? c.close - prev_close_ : kNaN;

  set(out, Indicator::kRsi14, has_prev ? rsi(change) : kNaN);
  set(out, Indicator::kEma9, ema9_.push(c.close));
  set(out, Indicator::kEma21, ema21_.push(c.close));
  set(out, Indicator::kEma50, ema50_.push(c.close));
  macd(c.close, out);
  bollinger(c.close, out);
  set(out, Indicator::kAtr14, has_prev ? true_range_average(c) : kNaN);
  set(out, Indicator::kVolatility20, has_prev ? volatility(c.close) : kNaN);
  set(out, Indicator::kParkinson20, parkinson(c));
  roc_closes_.push(c.close);
  if (roc_closes_.full()) set(out, Indicator::kRoc10, c.close / roc_closes_.back(10) - 1.0);
  stochastic(c, out);
  if (has_prev) {
    const double direction = std::isnan(change) ? kNaN : (change > 0) - (change < 0);
    obv_ += direction * c.volume;
    vpt_ += c.volume * change / prev_close_;
  }
  set(out, Indicator::kObv, obv_);
  set(out, Indicator::kVpt, vpt_);
  set(out, Indicator::kMfi14, money_flow_index(c));

  prev_close_ = c.close;
  ++count_;
  return out;
}

double IndicatorStream::rsi(double change) {
  // A NaN change stays NaN (and poisons the averages), never reads as "no move".
  const double gain = rsi_gain_.push(std::isnan(change) ? kNaN : std::max(change, 0.0));
  const double loss = rsi_loss_.push(std::isnan(change) ? kNaN : std::max(-change, 0.0));
  return oscillator_0_100(gain, loss);
}

double IndicatorStream::true_range_average(const Candle& c) {
  const double parts[] = {c.high - c.low, std::abs(c.high - prev_close_),
                          std::abs(c.low - prev_close_)};
  double range = parts[0];
  for (const double part : parts) range = std::isnan(part) || part > range ? part : range;
  return atr_.push(range);
}

void IndicatorStream::macd(double close, IndicatorRow& out) {
  const double fast = ema12_.push(close);
  const double slow = ema26_.push(close);
  if (!ema26_.ready()) return;
  const double line = fast - slow;
  const double signal = macd_signal_.push(line);
  set(out, Indicator::kMacd, line);
  set(out, Indicator::kMacdSignal, signal);
  set(out, Indicator::kMacdHist, line - signal);
}

void IndicatorStream::bollinger(double close, IndicatorRow& out) {
  bb_closes_.push(close);
  if (!bb_closes_.full()) return;
  const double middle = bb_closes_.mean();
  const double sd = std::sqrt(bb_closes_.sum_squared_deviations() / 20.0);
  const double lower = middle - 2.0 * sd;
  const double upper = middle + 2.0 * sd;
  set(out, Indicator::kBbLower, lower);
  set(out, Indicator::kBbMiddle, middle);
  set(out, Indicator::kBbUpper, upper);
  set(out, Indicator::kBbPctB, upper == lower ? 0.5 : (close - lower) / (upper - lower));
  set(out, Indicator::kBbWidth, (upper - lower) / middle);
}

void IndicatorStream::stochastic(const Candle& c, IndicatorRow& out) {
  highs_.push(c.high);
  lows_.push(c.low);
  if (!highs_.full()) return;
  const double highest = highs_.max();
  const double lowest = lows_.min();
  const double range = highest - lowest;
  // `range == 0` rather than `range > 0`, so a NaN range stays NaN instead of reading 50.
  const double k = range == 0 ? 50.0 : 100.0 * (c.close - lowest) / range;
  set(out, Indicator::kStochK, k);
  set(out, Indicator::kWilliamsR, range == 0 ? -50.0 : -100.0 * (highest - c.close) / range);
  stoch_k_.push(k);
  if (stoch_k_.full()) set(out, Indicator::kStochD, stoch_k_.mean());
}

double IndicatorStream::volatility(double close) {
  log_returns_.push(std::log(close / prev_close_));
  if (!log_returns_.full()) return kNaN;
  return std::sqrt(log_returns_.sum_squared_deviations() / 19.0);
}

double IndicatorStream::parkinson(const Candle& c) {
  const double log_range = std::log(c.high / c.low);
  squared_log_ranges_.push(log_range * log_range);
  if (!squared_log_ranges_.full()) return kNaN;
  return std::sqrt(squared_log_ranges_.mean() / (4.0 * std::numbers::ln2));
}

double IndicatorStream::money_flow_index(const Candle& c) {
  const double typical = (c.high + c.low + c.close) / 3.0;
  const double previous = prev_typical_price_;
  prev_typical_price_ = typical;
  if (count_ == 0) return kNaN;
  const double flow = typical * c.volume;
  const bool unknown = std::isnan(typical) || std::isnan(previous);
  positive_flow_.push(unknown ? kNaN : (typical > previous ? flow : 0.0));
  negative_flow_.push(unknown ? kNaN : (typical < previous ? flow : 0.0));
  if (!positive_flow_.full()) return kNaN;
  return oscillator_0_100(positive_flow_.sum(), negative_flow_.sum());
}

Table compute_indicators(CandleSpan candles) {
  Table table(candles.size(), kIndicatorCount);
  IndicatorStream stream;
  for (std::size_t t = 0; t < candles.size(); ++t) {
    const IndicatorRow row = stream.push(candles[t]);
    std::copy(row.begin(), row.end(), table.row(t).begin());
  }
  return table;
}

}  // namespace snipe
