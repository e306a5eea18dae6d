#include "shared/market/validation.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "shared/core/option_rule.h"

namespace snipe {
namespace {

constexpr std::array<std::string_view, kReasonCount> kReasonNames = {
    "too_short",          "non_finite",          "non_positive_price", "negative_volume",
    "zero_volume_run",    "high_below_low",      "open_close_outside_range",
    "duplicate_timestamp", "timestamp_backwards", "gap",                "spike",
    "stale"};

bool all_finite(const Candle& c) {
  return std::isfinite(c.open) && std::isfinite(c.high) && std::isfinite(c.low) &&
         std::isfinite(c.close) && std::isfinite(c.volume);
}

bool prices_positive(const Candle& c) {
  return c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0;
}

// Problems visible in one bar alone.
CandleFlags check_bar(const Candle& c) {
  if (!all_finite(c)) return flag_of(Reason::kNonFinite);
  CandleFlags flags = 0;
  if (!prices_positive(c)) flags |= flag_of(Reason::kNonPositivePrice);
  if (c.volume < 0) flags |= flag_of(Reason::kNegativeVolume);
  if (c.high < c.low) {
    flags |= flag_of(Reason::kHighBelowLow);
  } else if (c.open < c.low || c.open > c.high || c.close < c.low || c.close > c.high) {
    flags |= flag_of(Reason::kOpenCloseOutsideRange);
  }
  return flags;
}

// Problems visible between a bar and the one before it.
CandleFlags check_step(const Candle& prev, const Candle& c, const ValidationOptions& options) {
  CandleFlags flags = 0;
  if (c.timestamp == prev.timestamp) {
    flags |= flag_of(Reason::kDuplicateTimestamp);
  } else if (c.timestamp < prev.timestamp) {
    flags |= flag_of(Reason::kTimestampBackwards);
  } else {
    // Unsigned difference: exact for any later int64 timestamp, no signed overflow.
    const std::uint64_t step = static_cast<std::uint64_t>(c.timestamp) -
                               static_cast<std::uint64_t>(prev.timestamp);
    if (static_cast<double>(step) >
        options.max_gap_intervals * static_cast<double>(options.interval_s)) {
      flags |= flag_of(Reason::kGap);
    }
  }
  // A wick is a spike too: labels read highs, so one bad tick would fake a take-profit.
  if (prev.close > 0 && std::max(c.close, c.high) / prev.close - 1.0 > options.spike_ratio) {
    flags |= flag_of(Reason::kSpike);
  }
  return flags;
}

// Flags every bar of each maximal run of `is_member` bars that is at least `min_run` long.
template <class IsMember>
void flag_runs(CandleSpan candles, std::size_t min_run, Reason reason, IsMember is_member,
               std::vector<CandleFlags>& flags) {
  std::size_t run_start = 0;
  for (std::size_t i = 0; i <= candles.size(); ++i) {
    if (i < candles.size() && is_member(i)) continue;
    if (i - run_start >= min_run && i > run_start) {
      for (std::size_t j = run_start; j < i; ++j) flags[j] |= flag_of(reason);
    }
    run_start = i + 1;
  }
}

}  // namespace

std::string_view reason_name(Reason reason) {
  return kReasonNames[static_cast<std::size_t>(reason)];
}

std::string ValidationReport::summary() const {
  if (accepted) return "accepted";
  std::string out = "rejected:";
  const char* separator = " ";
  for (std::size_t r = 0; r < kReasonCount; ++r) {
    if (counts[r] == 0) continue;
    out += fmt::format("{}{} x{}", separator, kReasonNames[r], counts[r]);
    if (first_row[r] != kNoRow) out += fmt::format(" (first at row {})", first_row[r]);
    separator = ", ";
  }
  return out;
}

ValidationReport validate_series(CandleSpan candles, const ValidationOptions& options) {
  ValidationReport report;
  report.flags.assign(candles.size(), 0);
  for (std::size_t i = 0; i < candles.size(); ++i) {
    report.flags[i] = check_bar(candles[i]);
    if (i > 0) report.flags[i] |= check_step(candles[i - 1], candles[i], options);
  }
  flag_runs(candles, options.zero_volume_run, Reason::kZeroVolumeRun,
            [&](std::size_t i) { return candles[i].volume == 0.0; }, report.flags);
  flag_runs(candles, options.stale_run, Reason::kStale,
            [&](std::size_t i) {
              const Candle& c = candles[i];
              return c.high == c.low && (i == 0 || c.close == candles[i - 1].close);
            },
            report.flags);

  report.first_row.fill(ValidationReport::kNoRow);
  for (std::size_t i = 0; i < candles.size(); ++i) {
    for (std::size_t r = 0; r < kReasonCount; ++r) {
      if ((report.flags[i] & (1u << r)) == 0) continue;
      if (report.counts[r]++ == 0) report.first_row[r] = i;
    }
  }
  if (candles.size() < options.min_candles) report.counts[static_cast<std::size_t>(Reason::kTooShort)] = 1;
  for (const std::size_t count : report.counts) report.accepted = report.accepted && count == 0;
  return report;
}

void validate_options(const ValidationOptions& v, std::string_view origin) {
  require_option(v.interval_s > 0, origin, "validation.interval_s", v.interval_s, "> 0 (seconds)");
  require_option(v.min_candles >= 1, origin, "validation.min_candles", v.min_candles, ">= 1");
  require_option(v.max_gap_intervals >= 1.0, origin, "validation.max_gap_intervals", v.max_gap_intervals,
                 ">= 1 (a gap is a step wider than this many intervals)");
  require_option(v.spike_ratio > 0.0, origin, "validation.spike_ratio", v.spike_ratio,
                 "> 0 (10 flags a close more than +1000% over the previous one)");
  require_option(v.zero_volume_run >= 1, origin, "validation.zero_volume_run", v.zero_volume_run, ">= 1");
  require_option(v.stale_run >= 2, origin, "validation.stale_run", v.stale_run, ">= 2");
}

}  // namespace snipe
