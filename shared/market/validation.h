#pragma once
// Candle-series validation with reason codes. Nothing is dropped silently: every problem
// is counted per reason, flagged on the candles it concerns, and the first row of each
// reason is kept for error messages. A series is accepted only when no reason fired.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/market/candle.h"

namespace snipe {

struct ValidationOptions {
  std::int64_t interval_s = 300;       // expected bar spacing (5-minute candles)
  std::size_t min_candles = 200;       // shorter series are rejected as too_short
  double max_gap_intervals = 2.0;      // a step wider than this many intervals is a gap
  double spike_ratio = 10.0;           // close or high / previous close - 1 above this is a spike (+1000%)
  std::size_t zero_volume_run = 12;    // this many zero-volume bars in a row is a dead run
  std::size_t stale_run = 24;          // this many flat bars in a row (high == low, close unchanged)
};

enum class Reason : std::uint8_t {
  kTooShort,               // fewer than min_candles (series-level: flags no candle)
  kNonFinite,              // a NaN or infinite price or volume
  kNonPositivePrice,       // open, high, low or close <= 0
  kNegativeVolume,         // volume < 0
  kZeroVolumeRun,          // part of a run of >= zero_volume_run zero-volume bars
  kHighBelowLow,           // high < low
  kOpenCloseOutsideRange,  // open or close outside [low, high]
  kDuplicateTimestamp,     // same timestamp as the previous bar
  kTimestampBackwards,     // earlier than the previous bar
  kGap,                    // more than max_gap_intervals after the previous bar
  kSpike,                  // close or high more than spike_ratio over the previous close
  kStale,                  // part of a run of >= stale_run flat bars (high == low, close
                           // unchanged from the bar before, if any)
  kCount
};
inline constexpr std::size_t kReasonCount = static_cast<std::size_t>(Reason::kCount);

// Stable snake_case names, used in reports, logs and the HDF5 quality report.
std::string_view reason_name(Reason reason);

using CandleFlags = std::uint16_t;  // bit (1 << Reason) per reason that concerns the bar
static_assert(kReasonCount <= 16);
constexpr CandleFlags flag_of(Reason reason) {
  return static_cast<CandleFlags>(1u << static_cast<unsigned>(reason));
}

struct ValidationReport {
  static constexpr std::size_t kNoRow = static_cast<std::size_t>(-1);

  bool accepted = true;
  std::vector<CandleFlags> flags;                 // [candles]
  std::array<std::size_t, kReasonCount> counts{};  // flagged bars per reason (too_short: 0/1)
  std::array<std::size_t, kReasonCount> first_row{};  // first flagged row per reason, or kNoRow

  std::size_t count(Reason r) const { return counts[static_cast<std::size_t>(r)]; }
  // One line: "accepted" or "rejected: gap x2 (first at row 17), spike x1 (first at row 40)".
  std::string summary() const;
};

ValidationReport validate_series(CandleSpan candles, const ValidationOptions& options);

// The [validation] rules (interval_s > 0, min_candles >= 1, ...); messages read
// "origin: validation.<field> = value must be <rule>". Throws ConfigError.
void validate_options(const ValidationOptions& options, std::string_view origin);

}  // namespace snipe
