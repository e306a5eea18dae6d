// Tests of the technical indicators (shared/features/indicators.h).
//
// Expected values never come from the code under test. They are either
//   * derived by hand from the textbook definitions in the header (each derivation is in a
//     comment next to its assertion), or
//   * recomputed by the naive reference oracle below, which re-derives every indicator at
//     every row from the raw candles with plain loops (no streaming state).

#include "shared/features/indicators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "shared/core/table.h"
#include "shared/market/candle.h"

namespace snipe {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kLn2 = std::numbers::ln2;

constexpr std::size_t idx(Indicator i) { return static_cast<std::size_t>(i); }

double at(const Table& table, std::size_t row, Indicator i) { return table.at(row, idx(i)); }

// Tolerance for hand-derived values: 1e-12 relative, absolute below magnitude 1.
#define EXPECT_HAND(actual, expected)                                           \
  EXPECT_NEAR((actual), (expected), 1e-12 * std::max(1.0, std::abs(expected)))

// ---------------------------------------------------------------------------------------
// Candle builders
// ---------------------------------------------------------------------------------------

Candle ohlcv(double open, double high, double low, double close, double volume = 1.0) {
  static std::int64_t next_timestamp = 1'700'000'000;
  next_timestamp += 60;
  return Candle{next_timestamp, open, high, low, close, volume};
}

// A bar with open = high = low = close: typical price equals the close, range is 0.
Candle flat_bar(double close, double volume = 1.0) {
  return ohlcv(close, close, close, close, volume);
}

CandleSeries flat_bars(const std::vector<double>& closes, double volume = 1.0) {
  CandleSeries series;
  for (double c : closes) series.push_back(flat_bar(c, volume));
  return series;
}

// first, first + 1, ..., first + count - 1
std::vector<double> ramp(double first, std::size_t count) {
  std::vector<double> v;
  for (std::size_t i = 0; i < count; ++i) v.push_back(first + static_cast<double>(i));
  return v;
}

// a, b, a, b, ... (count values, starting with a)
std::vector<double> alternating(double a, double b, std::size_t count) {
  std::vector<double> v;
  for (std::size_t i = 0; i < count; ++i) v.push_back(i % 2 == 0 ? a : b);
  return v;
}

// Deterministic pseudo-random numbers (splitmix64), independent of the standard library's
// distribution implementations.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  double uniform() {  // [0, 1)
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

// Geometric random walk with realistic OHLC: high >= max(open, close), low <= min(open,
// close), an opening gap, some bars whose close equals the previous close exactly, and
// about 10% zero-volume bars.
CandleSeries random_series(std::size_t n, std::uint64_t seed, double start_price) {
  Rng rng(seed);
  CandleSeries series;
  double prev_close = start_price;
  for (std::size_t t = 0; t < n; ++t) {
    const double open = prev_close * std::exp((rng.uniform() - 0.5) * 0.004);
    const double log_return = rng.uniform() < 0.05 ? 0.0 : (rng.uniform() - 0.5) * 0.06;
    const double close = prev_close * std::exp(log_return);
    const double high = std::max(open, close) * std::exp(rng.uniform() * 0.01);
    const double low = std::min(open, close) * std::exp(-rng.uniform() * 0.01);
    const double volume = rng.uniform() < 0.1 ? 0.0 : rng.uniform() * 1000.0;
    series.push_back(Candle{1'700'000'000 + 60 * static_cast<std::int64_t>(t), open, high, low,
                            close, volume});
    prev_close = close;
  }
  return series;
}

// ---------------------------------------------------------------------------------------
// Reference oracle: every indicator at row t, recomputed from scratch from the header's
// definitions. Deliberately naive (O(t) or worse per row); NaN where undefined.
// ---------------------------------------------------------------------------------------

namespace ref {

// Seeded exponential average of xs[0..t]: NaN until n inputs, first value the simple mean of
// the first n, then value = alpha * x + (1 - alpha) * value.
double seeded_ema(const std::vector<double>& xs, std::size_t n, std::size_t t, double alpha) {
  if (t + 1 < n) return kNaN;
  double value = 0.0;
  for (std::size_t i = 0; i < n; ++i) value += xs[i];
  value /= static_cast<double>(n);
  for (std::size_t i = n; i <= t; ++i) value = alpha * xs[i] + (1.0 - alpha) * value;
  return value;
}
double ema(const std::vector<double>& xs, std::size_t n, std::size_t t) {
  return seeded_ema(xs, n, t, 2.0 / (static_cast<double>(n) + 1.0));
}
// Wilder smoothing: value = (value * (n - 1) + x) / n after the seed.
double wilder(const std::vector<double>& xs, std::size_t n, std::size_t t) {
  if (t + 1 < n) return kNaN;
  double value = 0.0;
  for (std::size_t i = 0; i < n; ++i) value += xs[i];
  value /= static_cast<double>(n);
  for (std::size_t i = n; i <= t; ++i) {
    value = (value * static_cast<double>(n - 1) + xs[i]) / static_cast<double>(n);
  }
  return value;
}

double oscillator(double up, double down) {  // RSI / MFI form with their conventions
  if (down == 0.0) return up == 0.0 ? 50.0 : 100.0;
  return 100.0 - 100.0 / (1.0 + up / down);
}

std::vector<double> closes_of(const CandleSeries& c, std::size_t first, std::size_t last) {
  std::vector<double> v;
  for (std::size_t i = first; i <= last; ++i) v.push_back(c[i].close);
  return v;
}

double rsi(const CandleSeries& c, std::size_t t) {
  if (t < 14) return kNaN;
  std::vector<double> gains, losses;  // changes from t = 1
  for (std::size_t s = 1; s <= t; ++s) {
    const double change = c[s].close - c[s - 1].close;
    gains.push_back(change > 0 ? change : 0.0);
    losses.push_back(change < 0 ? -change : 0.0);
  }
  return oscillator(wilder(gains, 14, t - 1), wilder(losses, 14, t - 1));
}

double ema_close(const CandleSeries& c, std::size_t n, std::size_t t) {
  return ema(closes_of(c, 0, t), n, t);
}

double macd(const CandleSeries& c, std::size_t t) {
  if (t < 25) return kNaN;
  return ema_close(c, 12, t) - ema_close(c, 26, t);
}
double macd_signal(const CandleSeries& c, std::size_t t) {
  if (t < 25) return kNaN;
  std::vector<double> line;  // the MACD line from its first defined row, t = 25
  for (std::size_t s = 25; s <= t; ++s) line.push_back(macd(c, s));
  return ema(line, 9, t - 25);
}

struct Bands {
  double lower, middle, upper, pctb, width;
};
Bands bollinger(const CandleSeries& c, std::size_t t) {
  if (t < 19) return {kNaN, kNaN, kNaN, kNaN, kNaN};
  double mean = 0.0;
  for (std::size_t s = t - 19; s <= t; ++s) mean += c[s].close;
  mean /= 20.0;
  double ss = 0.0;
  for (std::size_t s = t - 19; s <= t; ++s) ss += (c[s].close - mean) * (c[s].close - mean);
  const double sd = std::sqrt(ss / 20.0);  // population sd
  const double lower = mean - 2.0 * sd, upper = mean + 2.0 * sd;
  const double pctb = upper - lower == 0.0 ? 0.5 : (c[t].close - lower) / (upper - lower);
  return {lower, mean, upper, pctb, (upper - lower) / mean};
}

double atr(const CandleSeries& c, std::size_t t) {
  if (t < 14) return kNaN;
  std::vector<double> true_ranges;  // from t = 1
  for (std::size_t s = 1; s <= t; ++s) {
    const double pc = c[s - 1].close;
    true_ranges.push_back(std::max(
        {c[s].high - c[s].low, std::abs(c[s].high - pc), std::abs(c[s].low - pc)}));
  }
  return wilder(true_ranges, 14, t - 1);
}

double volatility(const CandleSeries& c, std::size_t t) {
  if (t < 20) return kNaN;
  std::vector<double> r;
  for (std::size_t s = t - 19; s <= t; ++s) r.push_back(std::log(c[s].close / c[s - 1].close));
  double mean = 0.0;
  for (double x : r) mean += x;
  mean /= 20.0;
  double ss = 0.0;
  for (double x : r) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / 19.0);  // sample sd
}

double parkinson(const CandleSeries& c, std::size_t t) {
  if (t < 19) return kNaN;
  double sum = 0.0;
  for (std::size_t s = t - 19; s <= t; ++s) {
    const double lr = std::log(c[s].high / c[s].low);
    sum += lr * lr;
  }
  return std::sqrt(sum / 20.0 / (4.0 * kLn2));
}

double roc(const CandleSeries& c, std::size_t t) {
  return t < 10 ? kNaN : c[t].close / c[t - 10].close - 1.0;
}

double highest_high_14(const CandleSeries& c, std::size_t t) {
  double h = c[t - 13].high;
  for (std::size_t s = t - 13; s <= t; ++s) h = std::max(h, c[s].high);
  return h;
}
double lowest_low_14(const CandleSeries& c, std::size_t t) {
  double l = c[t - 13].low;
  for (std::size_t s = t - 13; s <= t; ++s) l = std::min(l, c[s].low);
  return l;
}
double stoch_k(const CandleSeries& c, std::size_t t) {
  if (t < 13) return kNaN;
  const double hh = highest_high_14(c, t), ll = lowest_low_14(c, t);
  return hh - ll == 0.0 ? 50.0 : 100.0 * (c[t].close - ll) / (hh - ll);
}
double stoch_d(const CandleSeries& c, std::size_t t) {
  if (t < 15) return kNaN;
  return (stoch_k(c, t - 2) + stoch_k(c, t - 1) + stoch_k(c, t)) / 3.0;
}
double williams_r(const CandleSeries& c, std::size_t t) {
  if (t < 13) return kNaN;
  const double hh = highest_high_14(c, t), ll = lowest_low_14(c, t);
  return hh - ll == 0.0 ? -50.0 : -100.0 * (hh - c[t].close) / (hh - ll);
}

double obv(const CandleSeries& c, std::size_t t) {
  double v = 0.0;
  for (std::size_t s = 1; s <= t; ++s) {
    if (c[s].close > c[s - 1].close) v += c[s].volume;
    if (c[s].close < c[s - 1].close) v -= c[s].volume;
  }
  return v;
}
double vpt(const CandleSeries& c, std::size_t t) {
  double v = 0.0;
  for (std::size_t s = 1; s <= t; ++s) {
    v += c[s].volume * (c[s].close - c[s - 1].close) / c[s - 1].close;
  }
  return v;
}

double typical(const Candle& k) { return (k.high + k.low + k.close) / 3.0; }
double mfi(const CandleSeries& c, std::size_t t) {
  if (t < 14) return kNaN;
  double pos = 0.0, neg = 0.0;
  for (std::size_t s = t - 13; s <= t; ++s) {
    const double tp = typical(c[s]), prev = typical(c[s - 1]);
    if (tp > prev) pos += tp * c[s].volume;
    if (tp < prev) neg += tp * c[s].volume;
  }
  return oscillator(pos, neg);
}

// All indicators for the whole series, in Indicator order.
Table all(const CandleSeries& c) {
  Table table(c.size(), kIndicatorCount, kNaN);
  for (std::size_t t = 0; t < c.size(); ++t) {
    auto set = [&](Indicator i, double v) { table.at(t, idx(i)) = v; };
    set(Indicator::kRsi14, rsi(c, t));
    set(Indicator::kEma9, ema_close(c, 9, t));
    set(Indicator::kEma21, ema_close(c, 21, t));
    set(Indicator::kEma50, ema_close(c, 50, t));
    const double line = macd(c, t), signal = macd_signal(c, t);
    set(Indicator::kMacd, line);
    set(Indicator::kMacdSignal, signal);
    set(Indicator::kMacdHist, line - signal);
    const Bands bb = bollinger(c, t);
    set(Indicator::kBbLower, bb.lower);
    set(Indicator::kBbMiddle, bb.middle);
    set(Indicator::kBbUpper, bb.upper);
    set(Indicator::kBbPctB, bb.pctb);
    set(Indicator::kBbWidth, bb.width);
    set(Indicator::kAtr14, atr(c, t));
    set(Indicator::kVolatility20, volatility(c, t));
    set(Indicator::kParkinson20, parkinson(c, t));
    set(Indicator::kRoc10, roc(c, t));
    set(Indicator::kStochK, stoch_k(c, t));
    set(Indicator::kStochD, stoch_d(c, t));
    set(Indicator::kWilliamsR, williams_r(c, t));
    set(Indicator::kObv, obv(c, t));
    set(Indicator::kVpt, vpt(c, t));
    set(Indicator::kMfi14, mfi(c, t));
  }
  return table;
}

}  // namespace ref

// Whether an indicator is in price units (scales with prices) or dimensionless.
bool in_price_units(std::size_t i) {
  switch (static_cast<Indicator>(i)) {
    case Indicator::kEma9: case Indicator::kEma21: case Indicator::kEma50:
    case Indicator::kMacd: case Indicator::kMacdSignal: case Indicator::kMacdHist:
    case Indicator::kBbLower: case Indicator::kBbMiddle: case Indicator::kBbUpper:
    case Indicator::kAtr14:
      return true;
    default:
      return false;
  }
}

// The magnitude below which a comparison becomes absolute: the close for price-unit
// indicators (MACD and its histogram are differences of price-sized numbers), 100 for the
// 0..100 oscillators, 1 for OBV / VPT / ROC / %B, and 1e-6 for small positive statistics.
double tolerance_floor(std::size_t i, double close) {
  if (in_price_units(i)) return close;
  switch (static_cast<Indicator>(i)) {
    case Indicator::kRsi14: case Indicator::kStochK: case Indicator::kStochD:
    case Indicator::kWilliamsR: case Indicator::kMfi14:
      return 100.0;
    case Indicator::kObv: case Indicator::kVpt: case Indicator::kRoc10:
    case Indicator::kBbPctB:
      return 1.0;
    default:  // bb_width, volatility_20, parkinson_20
      return 1e-6;
  }
}

// "" when every cell agrees (both NaN, or within rel * max(|expected|, floor)); otherwise a
// description of the first few disagreements.
std::string differences(const Table& actual, const Table& expected, const CandleSeries& c,
                        double rel) {
  std::ostringstream out;
  out.precision(17);
  int shown = 0;
  if (actual.rows != expected.rows || actual.cols != expected.cols) return "shape differs";
  for (std::size_t t = 0; t < actual.rows; ++t) {
    for (std::size_t i = 0; i < actual.cols; ++i) {
      const double a = actual.at(t, i), e = expected.at(t, i);
      bool ok;
      if (std::isnan(e) || std::isnan(a)) {
        ok = std::isnan(e) && std::isnan(a);
      } else {
        ok = std::abs(a - e) <= rel * std::max(std::abs(e), tolerance_floor(i, c[t].close));
      }
      if (!ok && shown++ < 10) {
        out << kIndicatorNames[i] << " row " << t << ": actual " << a << " expected " << e
            << "\n";
      }
    }
  }
  return out.str();
}

// "" when the tables are bit-for-bit identical (NaN payloads included).
std::string bitwise_differences(const Table& a, const Table& b) {
  if (a.rows != b.rows || a.cols != b.cols) return "shape differs";
  std::ostringstream out;
  int shown = 0;
  for (std::size_t t = 0; t < a.rows; ++t) {
    for (std::size_t i = 0; i < a.cols; ++i) {
      if (std::bit_cast<std::uint64_t>(a.at(t, i)) != std::bit_cast<std::uint64_t>(b.at(t, i)) &&
          shown++ < 10) {
        out << kIndicatorNames[i] << " row " << t << ": " << a.at(t, i) << " vs " << b.at(t, i)
            << "\n";
      }
    }
  }
  return out.str();
}

Table run_stream(IndicatorStream& stream, const CandleSeries& series) {
  Table table(series.size(), kIndicatorCount);
  for (std::size_t t = 0; t < series.size(); ++t) {
    const IndicatorRow row = stream.push(series[t]);
    std::copy(row.begin(), row.end(), table.row(t).begin());
  }
  return table;
}

// =======================================================================================
// Column layout
// =======================================================================================

TEST(IndicatorNames, FollowTheIndicatorEnumOrder) {
  EXPECT_EQ(kIndicatorCount, 22u);
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kRsi14)], "rsi_14");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kEma9)], "ema_9");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kEma21)], "ema_21");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kEma50)], "ema_50");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kMacd)], "macd");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kMacdSignal)], "macd_signal");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kMacdHist)], "macd_hist");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kBbLower)], "bb_lower");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kBbMiddle)], "bb_middle");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kBbUpper)], "bb_upper");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kBbPctB)], "bb_pctb");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kBbWidth)], "bb_width");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kAtr14)], "atr_14");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kVolatility20)], "volatility_20");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kParkinson20)], "parkinson_20");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kRoc10)], "roc_10");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kStochK)], "stoch_k");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kStochD)], "stoch_d");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kWilliamsR)], "williams_r");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kObv)], "obv");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kVpt)], "vpt");
  EXPECT_EQ(kIndicatorNames[idx(Indicator::kMfi14)], "mfi_14");
}

TEST(ComputeIndicators, ReturnsOneRowPerCandleAndOneColumnPerIndicator) {
  const Table table = compute_indicators(random_series(37, 1, 5.0));
  EXPECT_EQ(table.rows, 37u);
  EXPECT_EQ(table.cols, kIndicatorCount);
  EXPECT_EQ(table.data.size(), 37u * kIndicatorCount);
  EXPECT_EQ(compute_indicators(CandleSeries{}).rows, 0u);
}

// =======================================================================================
// RSI (Wilder, 14)
// =======================================================================================

TEST(Rsi, IsHundredWhenEveryChangeIsAGain) {
  // closes 1..15: the 14 changes (t = 1..14) are all +1, so the seeded averages are
  // avg_gain = 1, avg_loss = 0 -> RSI 100 at t = 14; undefined one row earlier.
  const Table t = compute_indicators(flat_bars(ramp(1, 15)));
  EXPECT_TRUE(std::isnan(at(t, 13, Indicator::kRsi14)));
  EXPECT_HAND(at(t, 14, Indicator::kRsi14), 100.0);
}

TEST(Rsi, IsZeroWhenEveryChangeIsALoss) {
  // closes 15..1: avg_gain = 0, avg_loss = 1 -> 100 - 100 / (1 + 0) = 0.
  std::vector<double> closes = ramp(1, 15);
  std::reverse(closes.begin(), closes.end());
  EXPECT_HAND(at(compute_indicators(flat_bars(closes)), 14, Indicator::kRsi14), 0.0);
}

TEST(Rsi, IsFiftyWhenThereAreNoMoves) {
  // 15 equal closes: avg_gain = avg_loss = 0 -> the convention says 50.
  EXPECT_HAND(at(compute_indicators(flat_bars(std::vector<double>(15, 7.0))), 14,
                 Indicator::kRsi14),
              50.0);
}

TEST(Rsi, AppliesWilderSmoothingAfterTheSeed) {
  // closes 10, 11, 10, 11, ...: changes t = 1..14 are +1 (odd t, 7 of them) and -1 (even t,
  // 7 of them). Seed: avg_gain = avg_loss = 7/14 = 0.5 -> RSI 50 at t = 14.
  // t = 15 (close 11, change +1): avg_gain = (0.5 * 13 + 1) / 14 = 7.5/14,
  // avg_loss = (0.5 * 13 + 0) / 14 = 6.5/14; RSI = 100 g / (g + l) = 100 * 7.5 / 14.
  const Table t = compute_indicators(flat_bars(alternating(10, 11, 16)));
  EXPECT_HAND(at(t, 14, Indicator::kRsi14), 50.0);
  EXPECT_HAND(at(t, 15, Indicator::kRsi14), 100.0 * 7.5 / 14.0);  // 53.571428...
}

TEST(Rsi, FirstLossAfterOnlyGainsUsesWilderAverages) {
  // closes 1..15 then 14: seed avg_gain 1, avg_loss 0; at t = 15 the change is -1:
  // avg_gain = 13/14, avg_loss = 1/14 -> RS = 13 -> RSI = 100 - 100 / 14 = 100 * 13 / 14.
  std::vector<double> closes = ramp(1, 15);
  closes.push_back(14);
  EXPECT_HAND(at(compute_indicators(flat_bars(closes)), 15, Indicator::kRsi14),
              100.0 * 13.0 / 14.0);  // 92.857142...
}

// =======================================================================================
// EMA 9 / 21 / 50
// =======================================================================================

TEST(Ema9, IsSeededWithTheMeanOfTheFirstNineClosesThenUsesAlphaOneFifth) {
  // closes 1..9, 15, 15. Seed at t = 8: mean(1..9) = 5. alpha = 2 / (9 + 1) = 0.2:
  // t = 9: 0.2 * 15 + 0.8 * 5 = 7;  t = 10: 0.2 * 15 + 0.8 * 7 = 8.6.
  std::vector<double> closes = ramp(1, 9);
  closes.insert(closes.end(), {15, 15});
  const Table t = compute_indicators(flat_bars(closes));
  EXPECT_TRUE(std::isnan(at(t, 7, Indicator::kEma9)));
  EXPECT_HAND(at(t, 8, Indicator::kEma9), 5.0);
  EXPECT_HAND(at(t, 9, Indicator::kEma9), 7.0);
  EXPECT_HAND(at(t, 10, Indicator::kEma9), 8.6);
}

TEST(Ema21, IsSeededWithTheMeanOfTheFirstTwentyOneCloses) {
  // closes 1..21, 22. Seed at t = 20: mean(1..21) = 11. alpha = 2/22 = 1/11:
  // t = 21: 22/11 + (10/11) * 11 = 2 + 10 = 12.
  std::vector<double> closes = ramp(1, 21);
  closes.push_back(22);
  const Table t = compute_indicators(flat_bars(closes));
  EXPECT_TRUE(std::isnan(at(t, 19, Indicator::kEma21)));
  EXPECT_HAND(at(t, 20, Indicator::kEma21), 11.0);
  EXPECT_HAND(at(t, 21, Indicator::kEma21), 12.0);
}

TEST(Ema50, IsSeededWithTheMeanOfTheFirstFiftyCloses) {
  // closes 1..50, 76.5. Seed at t = 49: mean(1..50) = 25.5. alpha = 2/51:
  // t = 50: (2/51) * 76.5 + (49/51) * 25.5 = 3 + 24.5 = 27.5.
  std::vector<double> closes = ramp(1, 50);
  closes.push_back(76.5);
  const Table t = compute_indicators(flat_bars(closes));
  EXPECT_TRUE(std::isnan(at(t, 48, Indicator::kEma50)));
  EXPECT_HAND(at(t, 49, Indicator::kEma50), 25.5);
  EXPECT_HAND(at(t, 50, Indicator::kEma50), 27.5);
}

TEST(Ema, TracksARampWithALagOfHalfTheWindowMinusOne) {
  // closes c_t = t. The seed at t = N-1 is mean(0..N-1) = t - (N-1)/2. If e_{t-1} = t-1-L
  // with L = (1 - alpha) / alpha = (N-1)/2, then e_t = alpha t + (1-alpha)(t-1-L)
  // = t - (1-alpha)(1+L) = t - L. So EMA_N(t) = t - (N-1)/2 for every t >= N-1.
  const Table t = compute_indicators(flat_bars(ramp(0, 80)));
  for (std::size_t row = 49; row < 80; ++row) {
    const double x = static_cast<double>(row);
    EXPECT_HAND(at(t, row, Indicator::kEma9), x - 4.0);
    EXPECT_HAND(at(t, row, Indicator::kEma21), x - 10.0);
    EXPECT_HAND(at(t, row, Indicator::kEma50), x - 24.5);
  }
}

// =======================================================================================
// MACD (12, 26, 9)
// =======================================================================================

TEST(Macd, IsSevenOnARampAndTheSignalMatchesIt) {
  // closes c_t = t: EMA_N(t) = t - (N-1)/2 (see Ema.TracksARamp...), so
  // macd = (t - 5.5) - (t - 12.5) = 7 from t = 25; the signal is a seeded EMA_9 of the
  // constant 7, i.e. 7 from t = 25 + 9 - 1 = 33; the histogram is 0.
  const Table t = compute_indicators(flat_bars(ramp(0, 45)));
  EXPECT_TRUE(std::isnan(at(t, 24, Indicator::kMacd)));
  EXPECT_TRUE(std::isnan(at(t, 32, Indicator::kMacdSignal)));
  EXPECT_TRUE(std::isnan(at(t, 32, Indicator::kMacdHist)));
  for (std::size_t row = 25; row < 45; ++row) EXPECT_HAND(at(t, row, Indicator::kMacd), 7.0);
  for (std::size_t row = 33; row < 45; ++row) {
    EXPECT_HAND(at(t, row, Indicator::kMacdSignal), 7.0);
    EXPECT_HAND(at(t, row, Indicator::kMacdHist), 0.0);
  }
}

TEST(Macd, SignalIsSeededWithTheMeanOfTheFirstNineMacdValues) {
  // closes 0..25 (a ramp), then 25 for t = 26..40. Let k = t - 25. At k = 0 the ramp gives
  // ema_12 = 25 - 5.5 and ema_26 = 25 - 12.5; on the flat close 25 each EMA's distance to
  // 25 shrinks by (1 - alpha) a bar: r12 = 11/13, r26 = 25/27. So
  //   macd(k) = ema_12 - ema_26 = 12.5 r26^k - 5.5 r12^k.
  // Signal at t = 33 (k = 8) = mean of macd(0..8) = (1/9) [12.5 (1 - r26^9) / (2/27)
  //   - 5.5 (1 - r12^9) / (2/13)]; at t = 34: 0.2 macd(9) + 0.8 signal(33).
  std::vector<double> closes = ramp(0, 26);
  closes.resize(41, 25.0);
  const Table t = compute_indicators(flat_bars(closes));

  const double r12 = 11.0 / 13.0, r26 = 25.0 / 27.0;
  auto macd = [&](int k) { return 12.5 * std::pow(r26, k) - 5.5 * std::pow(r12, k); };
  const double signal33 =
      (12.5 * 13.5 * (1.0 - std::pow(r26, 9)) - 5.5 * 6.5 * (1.0 - std::pow(r12, 9))) / 9.0;
  const double signal34 = 0.2 * macd(9) + 0.8 * signal33;

  for (int k = 0; k <= 15; ++k) EXPECT_HAND(at(t, 25 + k, Indicator::kMacd), macd(k));
  EXPECT_HAND(at(t, 33, Indicator::kMacdSignal), signal33);  // 6.2813472102676...
  EXPECT_HAND(at(t, 33, Indicator::kMacdHist), macd(8) - signal33);
  EXPECT_HAND(at(t, 34, Indicator::kMacdSignal), signal34);  // 6.0311113215552...
  EXPECT_HAND(at(t, 34, Indicator::kMacdHist), macd(9) - signal34);
  // Cross-check of the closed form against literal values (python, exact fractions).
  EXPECT_NEAR(signal33, 6.281347210267616, 1e-12);
  EXPECT_NEAR(macd(9) - signal34, -1.000943554849321, 1e-12);
}

// =======================================================================================
// Bollinger bands (20, 2 population sd)
// =======================================================================================

TEST(Bollinger, BandsAreTwoPopulationSdAroundTheTwentyBarMean) {
  // closes 9, 11, 9, 11, ... : any 20 consecutive closes are ten 9s and ten 11s, so
  // mean 10, population sd 1 -> lower 8, middle 10, upper 12, width 4 / 10 = 0.4.
  // t = 19 closes at 11: %B = (11 - 8) / 4 = 0.75; t = 20 closes at 9: %B = 0.25.
  const Table t = compute_indicators(flat_bars(alternating(9, 11, 21)));
  EXPECT_TRUE(std::isnan(at(t, 18, Indicator::kBbMiddle)));
  for (std::size_t row : {19u, 20u}) {
    EXPECT_HAND(at(t, row, Indicator::kBbLower), 8.0);
    EXPECT_HAND(at(t, row, Indicator::kBbMiddle), 10.0);
    EXPECT_HAND(at(t, row, Indicator::kBbUpper), 12.0);
    EXPECT_HAND(at(t, row, Indicator::kBbWidth), 0.4);
  }
  EXPECT_HAND(at(t, 19, Indicator::kBbPctB), 0.75);
  EXPECT_HAND(at(t, 20, Indicator::kBbPctB), 0.25);
}

TEST(Bollinger, UsesThePopulationNotTheSampleSd) {
  // closes 1..20: mean 10.5, population variance (20^2 - 1) / 12 = 33.25 (the sample
  // variance would be 35). sd = sqrt(33.25); %B of the last close 20 =
  // (20 - 10.5 + 2 sd) / (4 sd) = 0.5 + 9.5 / (4 sd); width = 4 sd / 10.5.
  const Table t = compute_indicators(flat_bars(ramp(1, 20)));
  const double sd = std::sqrt(33.25);
  EXPECT_HAND(at(t, 19, Indicator::kBbMiddle), 10.5);
  EXPECT_HAND(at(t, 19, Indicator::kBbLower), 10.5 - 2.0 * sd);  // -1.0325625946707966
  EXPECT_HAND(at(t, 19, Indicator::kBbUpper), 10.5 + 2.0 * sd);  // 22.032562594670797
  EXPECT_HAND(at(t, 19, Indicator::kBbPctB), 0.5 + 9.5 / (4.0 * sd));
  EXPECT_HAND(at(t, 19, Indicator::kBbWidth), 4.0 * sd / 10.5);
}

TEST(Bollinger, PctBIsHalfAndWidthZeroWhenAllClosesAreEqual) {
  // 20 equal closes: sd = 0, the band has zero width -> %B = 0.5 by convention, width 0,
  // lower = middle = upper = the close. Prices that are not exactly representable sums
  // (0.1, 0.3, new-token 3e-9) must follow the same convention as 10.
  for (double price : {10.0, 0.1, 0.3, 123.456, 3e-9}) {
    SCOPED_TRACE(price);
    const Table t = compute_indicators(flat_bars(std::vector<double>(20, price)));
    EXPECT_HAND(at(t, 19, Indicator::kBbPctB), 0.5);
    EXPECT_NEAR(at(t, 19, Indicator::kBbWidth), 0.0, 1e-12);
    EXPECT_NEAR(at(t, 19, Indicator::kBbLower), price, 1e-12 * price);
    EXPECT_NEAR(at(t, 19, Indicator::kBbMiddle), price, 1e-12 * price);
    EXPECT_NEAR(at(t, 19, Indicator::kBbUpper), price, 1e-12 * price);
  }
}

// =======================================================================================
// ATR (Wilder, 14)
// =======================================================================================

TEST(Atr, SeedsWithTheMeanTrueRangeFromRowOneAndIncludesGaps) {
  // t = 0: h 20, l 5, c 10 (range 15, never used: true range starts at t = 1).
  // t = 1..13: h 11, l 9, c 10 -> TR = max(2, 1, 1) = 2.
  // t = 14 gaps up: h 15, l 13, c 14, prev close 10 -> TR = max(2, 5, 3) = 5.
  //   ATR seed = (13 * 2 + 5) / 14 = 31/14.
  // t = 15: h 14.5, l 13.5, c 14, prev 14 -> TR = max(1, 0.5, 0.5) = 1;
  //   ATR = (31/14 * 13 + 1) / 14 = 417/196.
  // t = 16 gaps down: h 12, l 11, c 11.5, prev 14 -> TR = max(1, 2, 3) = 3;
  //   ATR = (417/196 * 13 + 3) / 14 = 6009/2744.
  CandleSeries s{ohlcv(10, 20, 5, 10)};
  for (int i = 1; i <= 13; ++i) s.push_back(ohlcv(10, 11, 9, 10));
  s.push_back(ohlcv(14, 15, 13, 14));
  s.push_back(ohlcv(14, 14.5, 13.5, 14));
  s.push_back(ohlcv(11.5, 12, 11, 11.5));
  const Table t = compute_indicators(s);
  EXPECT_TRUE(std::isnan(at(t, 13, Indicator::kAtr14)));
  EXPECT_HAND(at(t, 14, Indicator::kAtr14), 31.0 / 14.0);
  EXPECT_HAND(at(t, 15, Indicator::kAtr14), 417.0 / 196.0);
  EXPECT_HAND(at(t, 16, Indicator::kAtr14), 6009.0 / 2744.0);
}

// =======================================================================================
// Volatility (sample sd of 20 log returns) and Parkinson (20 bars)
// =======================================================================================

TEST(Volatility20, IsTheSampleSdOfTheLastTwentyLogReturns) {
  // closes 1, 2, 1, 2, ...: returns t = 1..20 are ten +ln2 and ten -ln2: mean 0, sum of
  // squared deviations 20 ln2^2, sample variance 20 ln2^2 / 19 -> sd = ln2 sqrt(20/19).
  const Table t = compute_indicators(flat_bars(alternating(1, 2, 22)));
  EXPECT_TRUE(std::isnan(at(t, 19, Indicator::kVolatility20)));
  EXPECT_HAND(at(t, 20, Indicator::kVolatility20), kLn2 * std::sqrt(20.0 / 19.0));
  EXPECT_HAND(at(t, 21, Indicator::kVolatility20), kLn2 * std::sqrt(20.0 / 19.0));
}

TEST(Volatility20, DividesByNMinusOne) {
  // closes 1 (t = 0..19), then 2: returns are 19 zeros and one ln2. mean ln2/20; squared
  // deviations ln2^2 [(19/20)^2 + 19 (1/20)^2] = 0.95 ln2^2; / 19 = 0.05 ln2^2
  // -> sd = ln2 / sqrt(20)  (with n it would be ln2 sqrt(0.0475)).
  std::vector<double> closes(20, 1.0);
  closes.push_back(2.0);
  EXPECT_HAND(at(compute_indicators(flat_bars(closes)), 20, Indicator::kVolatility20),
              kLn2 / std::sqrt(20.0));
}

TEST(Parkinson20, IsSqrtOfMeanSquaredLogRangeOverFourLnTwo) {
  // Every bar h = 2, l = 1: ln(h/l)^2 = ln2^2 -> sqrt(ln2^2 / (4 ln2)) = sqrt(ln2) / 2.
  CandleSeries s;
  for (int i = 0; i < 20; ++i) s.push_back(ohlcv(1.5, 2, 1, 1.5));
  const Table t = compute_indicators(s);
  EXPECT_TRUE(std::isnan(at(t, 18, Indicator::kParkinson20)));
  EXPECT_HAND(at(t, 19, Indicator::kParkinson20), std::sqrt(kLn2) / 2.0);
}

TEST(Parkinson20, AveragesOverTheLastTwentyBarsOnly) {
  // t even: h 2, l 1 (ln2); t odd: h = l = 1 (0). t = 19: ten ln2^2 terms / 20 -> mean
  // ln2^2 / 2 -> sqrt(ln2 / 8). t = 20: h 4, l 1 ((2 ln2)^2 = 4 ln2^2) and t = 0 drops out:
  // sum 9 ln2^2 + 4 ln2^2 = 13 ln2^2, mean 13/20 ln2^2 -> sqrt(13 ln2 / 80).
  CandleSeries s;
  for (int i = 0; i < 20; ++i) s.push_back(i % 2 == 0 ? ohlcv(1.5, 2, 1, 1.5) : flat_bar(1));
  s.push_back(ohlcv(2, 4, 1, 2));
  const Table t = compute_indicators(s);
  EXPECT_HAND(at(t, 19, Indicator::kParkinson20), std::sqrt(kLn2 / 8.0));
  EXPECT_HAND(at(t, 20, Indicator::kParkinson20), std::sqrt(13.0 * kLn2 / 80.0));
}

// =======================================================================================
// ROC (10)
// =======================================================================================

TEST(Roc10, IsTheFractionalChangeOverTenBars) {
  // closes 1..12, then 1.5. t = 10: 11 / 1 - 1 = 10; t = 11: 12 / 2 - 1 = 5;
  // t = 12: 1.5 / 3 - 1 = -0.5.
  std::vector<double> closes = ramp(1, 12);
  closes.push_back(1.5);
  const Table t = compute_indicators(flat_bars(closes));
  EXPECT_TRUE(std::isnan(at(t, 9, Indicator::kRoc10)));
  EXPECT_HAND(at(t, 10, Indicator::kRoc10), 10.0);
  EXPECT_HAND(at(t, 11, Indicator::kRoc10), 5.0);
  EXPECT_HAND(at(t, 12, Indicator::kRoc10), -0.5);
}

// =======================================================================================
// Stochastic (14, 3) and Williams %R (14)
// =======================================================================================

TEST(Stochastic, UsesTheLastFourteenHighsAndLows) {
  // t = 0: h 30, l 10; t = 1: h 20, l 0; t = 2..15: h 20, l 10. Closes at t = 13, 14, 15:
  // 12, 15, 18 (others 15).
  //   t = 13, window 0..13:  HH 30, LL 0  -> %K = 100 * 12/30 = 40, %R = -100 * 18/30 = -60
  //   t = 14, window 1..14:  HH 20, LL 0  -> %K = 100 * 15/20 = 75, %R = -100 *  5/20 = -25
  //   t = 15, window 2..15:  HH 20, LL 10 -> %K = 100 *  8/10 = 80, %R = -100 *  2/10 = -20
  //   %D at t = 15 = (40 + 75 + 80) / 3 = 65.
  CandleSeries s{ohlcv(15, 30, 10, 15), ohlcv(15, 20, 0, 15)};
  for (int i = 2; i <= 12; ++i) s.push_back(ohlcv(15, 20, 10, 15));
  s.push_back(ohlcv(12, 20, 10, 12));
  s.push_back(ohlcv(15, 20, 10, 15));
  s.push_back(ohlcv(18, 20, 10, 18));
  const Table t = compute_indicators(s);
  EXPECT_TRUE(std::isnan(at(t, 12, Indicator::kStochK)));
  EXPECT_TRUE(std::isnan(at(t, 12, Indicator::kWilliamsR)));
  EXPECT_TRUE(std::isnan(at(t, 14, Indicator::kStochD)));
  EXPECT_HAND(at(t, 13, Indicator::kStochK), 40.0);
  EXPECT_HAND(at(t, 14, Indicator::kStochK), 75.0);
  EXPECT_HAND(at(t, 15, Indicator::kStochK), 80.0);
  EXPECT_HAND(at(t, 13, Indicator::kWilliamsR), -60.0);
  EXPECT_HAND(at(t, 14, Indicator::kWilliamsR), -25.0);
  EXPECT_HAND(at(t, 15, Indicator::kWilliamsR), -20.0);
  EXPECT_HAND(at(t, 15, Indicator::kStochD), 65.0);
}

TEST(Stochastic, IsFiftyAndWilliamsMinusFiftyWhenTheRangeIsZero) {
  // 16 bars with h = l = c = 5: highest high - lowest low = 0 -> %K 50, %R -50, and %D is
  // the mean of three 50s.
  const Table t = compute_indicators(flat_bars(std::vector<double>(16, 5.0)));
  EXPECT_HAND(at(t, 13, Indicator::kStochK), 50.0);
  EXPECT_HAND(at(t, 13, Indicator::kWilliamsR), -50.0);
  EXPECT_HAND(at(t, 15, Indicator::kStochD), 50.0);
}

// =======================================================================================
// OBV and VPT
// =======================================================================================

TEST(Obv, AddsVolumeOnUpClosesSubtractsOnDownAndIgnoresEqualCloses) {
  // closes 10, 11, 11, 9, 12 with volumes 5, 7, 3, 2, 4:
  // t0: 0 (its volume is not counted); t1 up: +7 = 7; t2 equal: 7; t3 down: -2 = 5;
  // t4 up: +4 = 9.
  const CandleSeries s{flat_bar(10, 5), flat_bar(11, 7), flat_bar(11, 3), flat_bar(9, 2),
                       flat_bar(12, 4)};
  const Table t = compute_indicators(s);
  const double expected[] = {0, 7, 7, 5, 9};
  for (std::size_t row = 0; row < 5; ++row) EXPECT_HAND(at(t, row, Indicator::kObv), expected[row]);
}

TEST(Vpt, AccumulatesVolumeTimesFractionalChange) {
  // Same series: t0: 0; t1: 7 * (11 - 10) / 10 = 0.7; t2: + 3 * 0 = 0.7;
  // t3: + 2 * (9 - 11) / 11 = 0.7 - 4/11; t4: + 4 * (12 - 9) / 9 = 0.7 - 4/11 + 4/3.
  const CandleSeries s{flat_bar(10, 5), flat_bar(11, 7), flat_bar(11, 3), flat_bar(9, 2),
                       flat_bar(12, 4)};
  const Table t = compute_indicators(s);
  EXPECT_HAND(at(t, 0, Indicator::kVpt), 0.0);
  EXPECT_HAND(at(t, 1, Indicator::kVpt), 0.7);
  EXPECT_HAND(at(t, 2, Indicator::kVpt), 0.7);
  EXPECT_HAND(at(t, 3, Indicator::kVpt), 0.7 - 4.0 / 11.0);               // 0.33636...
  EXPECT_HAND(at(t, 4, Indicator::kVpt), 0.7 - 4.0 / 11.0 + 4.0 / 3.0);  // 1.66969...
}

// =======================================================================================
// MFI (14)
// =======================================================================================

TEST(Mfi, IsHundredWhenTypicalPriceOnlyRises) {
  // closes 1..15 on flat bars (typical price = close), volume 1: all 14 flows positive,
  // negative flow 0 -> 100 at t = 14.
  const Table t = compute_indicators(flat_bars(ramp(1, 15)));
  EXPECT_TRUE(std::isnan(at(t, 13, Indicator::kMfi14)));
  EXPECT_HAND(at(t, 14, Indicator::kMfi14), 100.0);
}

TEST(Mfi, IsFiftyWhenThereIsNoMoneyFlow) {
  // Equal typical prices: no flow is positive or negative -> 50.
  EXPECT_HAND(at(compute_indicators(flat_bars(std::vector<double>(15, 3.0))), 14,
                 Indicator::kMfi14),
              50.0);
  // Typical price moves, but every volume is 0: both flows are 0 -> 50.
  EXPECT_HAND(at(compute_indicators(flat_bars(alternating(10, 11, 15), 0.0)), 14,
                 Indicator::kMfi14),
              50.0);
}

TEST(Mfi, WeighsFlowsByTypicalPriceTimesVolume) {
  // typical price 10, 11, 10, 11, ... volume 1. Flows t = 1..14: odd t rise to 11 (7 x 11 =
  // 77 positive), even t fall to 10 (7 x 10 = 70 negative) -> 100 - 100 / (1 + 77/70) =
  // 100 * 77 / 147. t = 15 rises to 12 (flow 12), t = 1 drops out: positive 66 + 12 = 78,
  // negative 70 -> 100 * 78 / 148.
  std::vector<double> closes = alternating(10, 11, 15);
  closes.push_back(12);
  const Table t = compute_indicators(flat_bars(closes));
  EXPECT_HAND(at(t, 14, Indicator::kMfi14), 100.0 * 77.0 / 147.0);  // 52.380952...
  EXPECT_HAND(at(t, 15, Indicator::kMfi14), 100.0 * 78.0 / 148.0);  // 52.702702...

  // Volume 1 on rising bars, 2 on falling bars: positive 77, negative 7 x 20 = 140
  // -> 100 * 77 / 217.
  CandleSeries weighted;
  for (std::size_t i = 0; i < 15; ++i) {
    weighted.push_back(i % 2 == 0 ? flat_bar(10, 2) : flat_bar(11, 1));
  }
  EXPECT_HAND(at(compute_indicators(weighted), 14, Indicator::kMfi14), 100.0 * 77.0 / 217.0);
}

TEST(Mfi, FollowsTypicalPriceNotClose) {
  // Bar t: low = close = 10 - 0.1 t, high = 10 + t. Every close falls, but the typical
  // price (30 + 0.8 t) / 3 rises, so every flow is positive -> MFI 100 (while RSI is 0).
  CandleSeries s;
  for (int i = 0; i < 15; ++i) {
    const double c = 10.0 - 0.1 * i;
    s.push_back(ohlcv(c, 10.0 + i, c, c));
  }
  const Table t = compute_indicators(s);
  EXPECT_HAND(at(t, 14, Indicator::kMfi14), 100.0);
  EXPECT_HAND(at(t, 14, Indicator::kRsi14), 0.0);
}

TEST(Mfi, EqualTypicalPriceCountsAsNeitherFlow) {
  // typical price 10, 11, 10, then 10 for t = 3..14 (volume 1). Positive flow 11 (t = 1),
  // negative flow 10 (t = 2); the twelve equal bars add nothing -> 100 * 11 / 21.
  // (Counting them as positive would give 100 * 131 / 141, as negative 100 * 11 / 141.)
  std::vector<double> closes{10, 11};
  closes.resize(15, 10.0);
  EXPECT_HAND(at(compute_indicators(flat_bars(closes)), 14, Indicator::kMfi14),
              100.0 * 11.0 / 21.0);
}

// =======================================================================================
// Against the from-definition oracle
// =======================================================================================

TEST(ReferenceOracle, AgreesOnEveryRowAndIndicatorOfARandomWalk) {
  const CandleSeries s = random_series(600, 42, 25.0);
  EXPECT_EQ(differences(compute_indicators(s), ref::all(s), s, 1e-9), "");
}

TEST(ReferenceOracle, AgreesAtNewTokenPriceScale) {
  // Prices around 1e-9.
  const CandleSeries s = random_series(600, 7, 1e-9);
  EXPECT_EQ(differences(compute_indicators(s), ref::all(s), s, 1e-9), "");
}

TEST(ReferenceOracle, AgreesOnHandBuiltEdgeSeries) {
  // Flat stretches (zero ranges, equal closes, zero-volume bars) mixed with moves.
  CandleSeries s;
  for (int i = 0; i < 30; ++i) s.push_back(flat_bar(5.0, i % 3 == 0 ? 0.0 : 10.0));
  for (int i = 0; i < 40; ++i) s.push_back(ohlcv(5 + i, 6 + i, 4 + i, 5.5 + i, i));
  for (int i = 0; i < 30; ++i) s.push_back(flat_bar(44.5, 3.0));
  EXPECT_EQ(differences(compute_indicators(s), ref::all(s), s, 1e-9), "");
}

// =======================================================================================
// Warm-up
// =======================================================================================

TEST(Warmup, TableMatchesTheDefinitions) {
  // First defined row of each indicator, derived independently from the definitions:
  std::array<std::size_t, kIndicatorCount> expected{};
  auto set = [&](Indicator i, std::size_t row) { expected[idx(i)] = row; };
  set(Indicator::kRsi14, 14);        // 14 changes, the first at t = 1
  set(Indicator::kEma9, 8);          // 9 closes
  set(Indicator::kEma21, 20);        // 21 closes
  set(Indicator::kEma50, 49);        // 50 closes
  set(Indicator::kMacd, 25);         // needs ema_26: 26 closes
  set(Indicator::kMacdSignal, 33);   // 9 MACD values from t = 25: 25 + 9 - 1
  set(Indicator::kMacdHist, 33);     // needs the signal
  set(Indicator::kBbLower, 19);      // 20 closes
  set(Indicator::kBbMiddle, 19);
  set(Indicator::kBbUpper, 19);
  set(Indicator::kBbPctB, 19);
  set(Indicator::kBbWidth, 19);
  set(Indicator::kAtr14, 14);        // 14 true ranges, the first at t = 1
  set(Indicator::kVolatility20, 20); // 20 log returns, the first at t = 1
  set(Indicator::kParkinson20, 19);  // 20 bars
  set(Indicator::kRoc10, 10);        // c[t - 10] must exist
  set(Indicator::kStochK, 13);       // 14 bars
  set(Indicator::kStochD, 15);       // 3 values of %K from t = 13: 13 + 3 - 1
  set(Indicator::kWilliamsR, 13);    // 14 bars
  set(Indicator::kObv, 0);           // 0 at t = 0
  set(Indicator::kVpt, 0);           // 0 at t = 0
  set(Indicator::kMfi14, 14);        // 14 flows, the first at t = 1
  for (std::size_t i = 0; i < kIndicatorCount; ++i) {
    EXPECT_EQ(kIndicatorWarmup[i], expected[i]) << kIndicatorNames[i];
  }
}

TEST(Warmup, ValuesAreNanExactlyBeforeTheWarmupRow) {
  const Table t = compute_indicators(random_series(100, 3, 2.0));
  for (std::size_t i = 0; i < kIndicatorCount; ++i) {
    for (std::size_t row = 0; row < 100; ++row) {
      if (row < kIndicatorWarmup[i]) {
        EXPECT_TRUE(std::isnan(t.at(row, i))) << kIndicatorNames[i] << " row " << row;
      } else {
        EXPECT_TRUE(std::isfinite(t.at(row, i))) << kIndicatorNames[i] << " row " << row;
      }
    }
  }
}

// =======================================================================================
// Batch and streaming give the same numbers
// =======================================================================================

TEST(IndicatorStream, PushedOneCandleAtATimeEqualsComputeIndicatorsBitForBit) {
  const CandleSeries s = random_series(600, 11, 0.37);
  const Table batch = compute_indicators(s);
  IndicatorStream stream;
  for (std::size_t t = 0; t < s.size(); ++t) {
    const IndicatorRow row = stream.push(s[t]);
    ASSERT_EQ(stream.count(), t + 1);
    ASSERT_EQ(std::memcmp(row.data(), batch.row(t).data(), sizeof(double) * kIndicatorCount), 0)
        << "row " << t;
  }
}

TEST(IndicatorStream, FreshStreamsHaveNoSharedState) {
  const CandleSeries a = random_series(300, 21, 3.0);
  const CandleSeries b = random_series(300, 22, 1e-6);
  const Table batch_a = compute_indicators(a);
  const Table batch_b = compute_indicators(b);

  // A second stream on the same series repeats the first exactly.
  IndicatorStream first, second;
  EXPECT_EQ(bitwise_differences(run_stream(first, a), batch_a), "");
  EXPECT_EQ(bitwise_differences(run_stream(second, a), batch_a), "");
  EXPECT_EQ(bitwise_differences(compute_indicators(a), batch_a), "");

  // Two streams fed alternately with different series do not influence each other.
  IndicatorStream sa, sb;
  Table interleaved_a(a.size(), kIndicatorCount), interleaved_b(b.size(), kIndicatorCount);
  for (std::size_t t = 0; t < a.size(); ++t) {
    const IndicatorRow ra = sa.push(a[t]);
    const IndicatorRow rb = sb.push(b[t]);
    std::copy(ra.begin(), ra.end(), interleaved_a.row(t).begin());
    std::copy(rb.begin(), rb.end(), interleaved_b.row(t).begin());
  }
  EXPECT_EQ(bitwise_differences(interleaved_a, batch_a), "");
  EXPECT_EQ(bitwise_differences(interleaved_b, batch_b), "");
}

// =======================================================================================
// Scale behaviour
// =======================================================================================

TEST(Scale, PriceUnitIndicatorsScaleAndDimensionlessOnesDoNot) {
  // Multiply every price by 1e6 (volumes unchanged): EMAs, MACD, bands and ATR scale by
  // 1e6; RSI, %B, band width, volatility, Parkinson, ROC, stochastics, %R, OBV, VPT and MFI
  // are unchanged.
  constexpr double kFactor = 1e6;
  const CandleSeries s = random_series(300, 5, 0.02);
  CandleSeries scaled = s;
  for (Candle& c : scaled) {
    c.open *= kFactor;
    c.high *= kFactor;
    c.low *= kFactor;
    c.close *= kFactor;
  }
  const Table base = compute_indicators(s);
  Table expected = base;
  for (std::size_t t = 0; t < base.rows; ++t) {
    for (std::size_t i = 0; i < kIndicatorCount; ++i) {
      if (in_price_units(i)) expected.at(t, i) *= kFactor;
    }
  }
  EXPECT_EQ(differences(compute_indicators(scaled), expected, scaled, 1e-9), "");
}

// ---------------------------------------------------------------------------------------
// Non-finite input
// ---------------------------------------------------------------------------------------

// A NaN price must never come out as a plausible number (RSI 50, %K 50, OBV unchanged):
// every indicator is NaN at the bad bar, windowed ones recover once it leaves their
// window, recursive ones stay NaN.
TEST(NonFiniteInput, IsNanAtTheBadBarAndRecoversOnlyForWindowedIndicators) {
  for (const auto corrupt : {+[](Candle& c) { c.close = kNaN; }, +[](Candle& c) { c.low = kNaN; },
                             +[](Candle& c) { c.volume = kNaN; }}) {
    CandleSeries candles = random_series(120, 5, 1.0);
    corrupt(candles[60]);
    const Table table = compute_indicators(candles);
    const IndicatorRow bad = [&] {
      IndicatorRow row;
      for (std::size_t i = 0; i < kIndicatorCount; ++i) row[i] = table.at(60, i);
      return row;
    }();
    const bool close_nan = std::isnan(candles[60].close);
    const bool low_nan = std::isnan(candles[60].low);
    if (close_nan || low_nan) {
      for (const Indicator i : {Indicator::kStochK, Indicator::kWilliamsR}) {
        EXPECT_TRUE(std::isnan(get(bad, i))) << kIndicatorNames[idx(i)];
      }
      // The true range of bar 60 reads its low and the close of bar 59; a NaN close
      // reaches ATR through bar 61's true range.
      EXPECT_TRUE(std::isnan(at(table, low_nan ? 60 : 61, Indicator::kAtr14)));
      // %K's window of 14 has passed by row 60 + 14; ATR is recursive and stays NaN.
      EXPECT_TRUE(std::isfinite(at(table, 60 + 14, Indicator::kStochK)));
      EXPECT_TRUE(std::isnan(at(table, 119, Indicator::kAtr14)));
    }
    if (close_nan) {
      for (const Indicator i : {Indicator::kRsi14, Indicator::kEma9, Indicator::kBbPctB,
                                Indicator::kObv, Indicator::kVpt, Indicator::kMfi14}) {
        EXPECT_TRUE(std::isnan(get(bad, i))) << kIndicatorNames[idx(i)];
      }
      EXPECT_TRUE(std::isfinite(at(table, 60 + 20, Indicator::kBbPctB)));
      EXPECT_TRUE(std::isnan(at(table, 119, Indicator::kRsi14)));
      EXPECT_TRUE(std::isnan(at(table, 119, Indicator::kObv)));
    }
    if (std::isnan(candles[60].volume)) {
      EXPECT_TRUE(std::isnan(get(bad, Indicator::kMfi14)));
      EXPECT_TRUE(std::isnan(get(bad, Indicator::kObv)));
      EXPECT_TRUE(std::isfinite(get(bad, Indicator::kRsi14))) << "RSI does not read volume";
      EXPECT_TRUE(std::isfinite(at(table, 60 + 14, Indicator::kMfi14)));
    }
  }
}

}  // namespace
}  // namespace snipe
