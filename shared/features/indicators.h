#pragma once
// Standard technical indicators, textbook definitions, NaN during warm-up.
//
// There is one implementation: IndicatorStream consumes a series one candle at a time
// (the form the inference shim uses on live candles); compute_indicators() is that
// stream run over a whole series. Training and serving therefore see the same numbers
// bit for bit. Recursive indicators (EMA, Wilder averages, OBV, VPT) depend on the whole
// history, so a stream must be fed a token's series from its first candle.
//
// A non-finite input never turns into a plausible number: the indicators it touches are
// NaN for as long as it stays in their window (recursive ones: from then on).
//
// Definitions (t = row; "seeded" = first value is the simple mean of the first N inputs):
//   rsi_14      Wilder: gains/losses of close from t=1, seeded Wilder averages (alpha 1/14);
//               100 - 100 / (1 + avg_gain / avg_loss); 100 when avg_loss = 0 < avg_gain,
//               50 when both are 0. First at t=14.
//   ema_N       seeded EMA of close, alpha 2/(N+1). First at t=N-1.
//   macd        ema_12 - ema_26 (first at t=25); macd_signal = seeded EMA_9 of macd (t=33);
//               macd_hist = macd - macd_signal.
//   bb_*        20-bar SMA of close +- 2 population sd (t=19); bb_pctb = (close - lower) /
//               (upper - lower), 0.5 when the band has zero width; bb_width = (upper -
//               lower) / middle.
//   atr_14      Wilder average of true range max(h-l, |h-c[t-1]|, |l-c[t-1]|) from t=1,
//               seeded with the mean of the first 14 (as TA-Lib). First at t=14.
//   volatility_20  sample sd (n-1) of the last 20 one-bar log returns ln(c[t]/c[t-1]). t=20.
//   parkinson_20   sqrt(mean of ln(h/l)^2 over 20 bars / (4 ln 2)), per bar. t=19.
//   roc_10      c[t] / c[t-10] - 1 (a fraction). t=10.
//   stoch_k     100 (c - lowest low_14) / (highest high_14 - lowest low_14), 50 when the
//               range is 0 (t=13); stoch_d = 3-bar SMA of stoch_k (t=15).
//   williams_r  -100 (highest high_14 - c) / (highest high_14 - lowest low_14), -50 when
//               the range is 0. t=13.
//   obv         0 at t=0, then +volume on an up close, -volume on a down close.
//   vpt         0 at t=0, then + volume * (c[t] - c[t-1]) / c[t-1].
//   mfi_14      typical price (h+l+c)/3, money flow = tp * volume, positive when tp rose,
//               negative when it fell, over the last 14 flows from t=1:
//               100 - 100 / (1 + pos / neg); 100 when neg = 0 < pos, 50 when both 0. t=14.

#include <array>
#include <cstddef>
#include <string_view>

#include "shared/core/table.h"
#include "shared/features/rolling.h"
#include "shared/market/candle.h"

namespace snipe {

enum class Indicator : std::size_t {
  kRsi14, kEma9, kEma21, kEma50, kMacd, kMacdSignal, kMacdHist,
  kBbLower, kBbMiddle, kBbUpper, kBbPctB, kBbWidth, kAtr14, kVolatility20, kParkinson20,
  kRoc10, kStochK, kStochD, kWilliamsR, kObv, kVpt, kMfi14, kCount
};
inline constexpr std::size_t kIndicatorCount = static_cast<std::size_t>(Indicator::kCount);

// Column names, in Indicator order (the `snipe features` CSV header).
inline constexpr std::array<std::string_view, kIndicatorCount> kIndicatorNames = {
    "rsi_14",  "ema_9",     "ema_21",   "ema_50",        "macd",         "macd_signal",
    "macd_hist", "bb_lower", "bb_middle", "bb_upper",    "bb_pctb",      "bb_width",
    "atr_14",  "volatility_20", "parkinson_20", "roc_10", "stoch_k",     "stoch_d",
    "williams_r", "obv",    "vpt",      "mfi_14"};

// First row at which each indicator is defined (rows before it are NaN).
inline constexpr std::array<std::size_t, kIndicatorCount> kIndicatorWarmup = {
    14, 8, 20, 49, 25, 33, 33, 19, 19, 19, 19, 19, 14, 20, 19, 10, 13, 15, 13, 0, 0, 14};

using IndicatorRow = std::array<double, kIndicatorCount>;  // indexed by Indicator

inline double get(const IndicatorRow& row, Indicator i) {
  return row[static_cast<std::size_t>(i)];
}

class IndicatorStream {
 public:
  // Consumes the next candle of the series; returns every indicator at that candle.
  IndicatorRow push(const Candle& candle);
  // Candles consumed so far.
  std::size_t count() const { return count_; }

 private:
  double rsi(double change);
  double true_range_average(const Candle& c);
  void macd(double close, IndicatorRow& out);
  void bollinger(double close, IndicatorRow& out);
  void stochastic(const Candle& c, IndicatorRow& out);
  double volatility(double close);
  double parkinson(const Candle& c);
  double money_flow_index(const Candle& c);

  std::size_t count_ = 0;
  double prev_close_ = rolling::kNaN;
  rolling::WilderAverage<14> rsi_gain_, rsi_loss_;
  rolling::Ema<9> ema9_;
  rolling::Ema<21> ema21_;
  rolling::Ema<50> ema50_;
  rolling::Ema<12> ema12_;
  rolling::Ema<26> ema26_;
  rolling::Ema<9> macd_signal_;
  rolling::Window<20> bb_closes_;
  rolling::WilderAverage<14> atr_;
  rolling::Window<20> log_returns_;
  rolling::Window<20> squared_log_ranges_;
  rolling::Window<11> roc_closes_;
  rolling::Window<14> highs_, lows_;
  rolling::Window<3> stoch_k_;
  double obv_ = 0.0;
  double vpt_ = 0.0;
  double prev_typical_price_ = rolling::kNaN;
  rolling::Window<14> positive_flow_, negative_flow_;
};

// The stream over a whole series: [candles.size(), kIndicatorCount], NaN during warm-up.
Table compute_indicators(CandleSpan candles);

}  // namespace snipe
