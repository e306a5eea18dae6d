#pragma once
// Scale-free model inputs. New tokens trade anywhere from 1e-9 to 1e3 USD, so the model
// never sees a raw price: every input is a log-ratio, a ratio to the close, a bounded
// oscillator or a volume ratio. Multiplying every price of a series by any constant
// leaves these features unchanged (up to rounding).
//
// Two groups, scaled differently by the trainer:
//   candle features (RobustScaler): per-bar shape and volume
//     log_return       ln(c[t] / c[t-1])                               (t >= 1)
//     log_high_low     ln(h / l)
//     log_close_open   ln(c / o)
//     log1p_volume     ln(1 + v)
//     volume_rel_20    v / mean(v over the last 20 bars), 0 when that mean is 0  (t >= 19)
//   indicator features (StandardScaler): the indicators of indicators.h in relative form
//     rsi_14_frac, stoch_k_frac, stoch_d_frac, mfi_14_frac   indicator / 100     (0..1)
//     williams_r_frac                                        williams_r / 100    (-1..0)
//     ema_{9,21,50}_rel                                      ema / c - 1
//     macd_rel, macd_signal_rel, macd_hist_rel, atr_14_rel   value / c
//     bb_pctb, bb_width, volatility_20, parkinson_20, roc_10 as they are
//     obv_flow_20   (obv[t] - obv[t-20]) / sum(v over the last 20 bars), in [-1, 1]
//     vpt_flow_20   (vpt[t] - vpt[t-20]) / sum(v over the last 20 bars): the
//                   volume-weighted mean one-bar return; both 0 when that sum is 0
//
// Every feature is defined from row kModelFeatureWarmup on (ema_50 is the last to warm up).

#include <array>
#include <cstddef>
#include <string_view>

#include "shared/core/table.h"
#include "shared/features/indicators.h"
#include "shared/features/rolling.h"
#include "shared/market/candle.h"

namespace snipe {

enum class CandleFeature : std::size_t {
  kLogReturn, kLogHighLow, kLogCloseOpen, kLog1pVolume, kVolumeRel20, kCount
};
inline constexpr std::size_t kCandleFeatureCount = static_cast<std::size_t>(CandleFeature::kCount);
inline constexpr std::array<std::string_view, kCandleFeatureCount> kCandleFeatureNames = {
    "log_return", "log_high_low", "log_close_open", "log1p_volume", "volume_rel_20"};

enum class IndicatorFeature : std::size_t {
  kRsi14Frac, kEma9Rel, kEma21Rel, kEma50Rel, kMacdRel, kMacdSignalRel, kMacdHistRel,
  kBbPctB, kBbWidth, kAtr14Rel, kVolatility20, kParkinson20, kRoc10, kStochKFrac,
  kStochDFrac, kWilliamsRFrac, kMfi14Frac, kObvFlow20, kVptFlow20, kCount
};
inline constexpr std::size_t kIndicatorFeatureCount =
    static_cast<std::size_t>(IndicatorFeature::kCount);
inline constexpr std::array<std::string_view, kIndicatorFeatureCount> kIndicatorFeatureNames = {
    "rsi_14_frac",   "ema_9_rel",     "ema_21_rel",   "ema_50_rel",   "macd_rel",
    "macd_signal_rel", "macd_hist_rel", "bb_pctb",    "bb_width",     "atr_14_rel",
    "volatility_20", "parkinson_20",  "roc_10",       "stoch_k_frac", "stoch_d_frac",
    "williams_r_frac", "mfi_14_frac", "obv_flow_20",  "vpt_flow_20"};

// Bumped whenever a feature's definition changes: stored series (shards, checkpoints) of
// another version must not be mixed with this build's.
inline constexpr int kFeatureVersion = 1;

// First row at which every model feature is defined.
inline constexpr std::size_t kModelFeatureWarmup = 49;

using CandleFeatureRow = std::array<double, kCandleFeatureCount>;        // by CandleFeature
using IndicatorFeatureRow = std::array<double, kIndicatorFeatureCount>;  // by IndicatorFeature

// Everything computed at one candle.
struct FeatureRow {
  IndicatorRow indicators;        // raw, textbook units
  CandleFeatureRow candle;        // scale-free
  IndicatorFeatureRow indicator;  // scale-free
};

// Streams indicators and model features one candle at a time (the shim's form).
// Not thread-safe; one stream per token, fed from the token's first candle.
class FeatureStream {
 public:
  FeatureRow push(const Candle& candle);
  std::size_t count() const { return indicators_.count(); }

 private:
  CandleFeatureRow candle_features(const Candle& c);
  IndicatorFeatureRow indicator_features(const IndicatorRow& raw, double close);

  IndicatorStream indicators_;
  double prev_close_ = rolling::kNaN;
  rolling::Window<20> volumes_;
  rolling::Window<21> obv_history_;  // obv[t-20..t]
  rolling::Window<21> vpt_history_;  // vpt[t-20..t]
};

// The stream over a whole series; every table has candles.size() rows.
struct SeriesFeatures {
  Table indicators;  // [rows, kIndicatorCount]
  Table candle;      // [rows, kCandleFeatureCount]
  Table indicator;   // [rows, kIndicatorFeatureCount]
};
SeriesFeatures compute_features(CandleSpan candles);

}  // namespace snipe
