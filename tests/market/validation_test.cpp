#include "shared/market/validation.h"

#include <cmath>
#include <limits>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/series.h"

namespace snipe {
namespace {

// A clean series long enough for the default options, to be broken one way per test.
class ValidationTest : public ::testing::Test {
 protected:
  ValidationTest() : candles_(testing::random_walk(300, 3)) {}

  ValidationReport validate() const { return validate_series(candles_, options_); }

  // Asserts that exactly `reason` fired, on exactly `rows`.
  void expect_only(Reason reason, std::vector<std::size_t> rows) const {
    const ValidationReport report = validate();
    EXPECT_FALSE(report.accepted);
    for (std::size_t r = 0; r < kReasonCount; ++r) {
      const std::size_t expected = static_cast<Reason>(r) == reason ? rows.size() : 0;
      EXPECT_EQ(report.counts[r], expected) << reason_name(static_cast<Reason>(r));
    }
    std::vector<std::size_t> flagged;
    for (std::size_t i = 0; i < report.flags.size(); ++i) {
      if (report.flags[i] & flag_of(reason)) flagged.push_back(i);
    }
    EXPECT_EQ(flagged, rows);
    EXPECT_EQ(report.first_row[static_cast<std::size_t>(reason)], rows.front());
  }

  CandleSeries candles_;
  ValidationOptions options_;
};

TEST_F(ValidationTest, CleanSeriesIsAcceptedWithNoFlags) {
  const ValidationReport report = validate();
  EXPECT_TRUE(report.accepted) << report.summary();
  EXPECT_EQ(report.flags.size(), candles_.size());
  for (const CandleFlags flags : report.flags) EXPECT_EQ(flags, 0);
  EXPECT_EQ(report.summary(), "accepted");
}

TEST_F(ValidationTest, TooShortIsASeriesLevelReason) {
  candles_.resize(options_.min_candles - 1);
  const ValidationReport report = validate();
  EXPECT_FALSE(report.accepted);
  EXPECT_EQ(report.count(Reason::kTooShort), 1u);
  EXPECT_EQ(report.first_row[static_cast<std::size_t>(Reason::kTooShort)], ValidationReport::kNoRow);
  EXPECT_EQ(report.summary(), "rejected: too_short x1");
}

TEST_F(ValidationTest, NanOrInfinityIsNonFinite) {
  candles_[10].close = std::numeric_limits<double>::quiet_NaN();
  candles_[20].volume = std::numeric_limits<double>::infinity();
  expect_only(Reason::kNonFinite, {10, 20});
}

TEST_F(ValidationTest, ZeroOrNegativePriceIsNonPositive) {
  candles_[30].low = 0.0;
  candles_[40].low = -1.0;
  expect_only(Reason::kNonPositivePrice, {30, 40});
}

TEST_F(ValidationTest, NegativeVolume) {
  candles_[50].volume = -5;
  expect_only(Reason::kNegativeVolume, {50});
}

TEST_F(ValidationTest, HighBelowLow) {
  std::swap(candles_[60].high, candles_[60].low);
  expect_only(Reason::kHighBelowLow, {60});
}

TEST_F(ValidationTest, OpenOrCloseOutsideTheBarRange) {
  candles_[70].open = candles_[70].high * 1.01;
  candles_[71].close = candles_[71].low * 0.99;
  expect_only(Reason::kOpenCloseOutsideRange, {70, 71});
}

TEST_F(ValidationTest, DuplicateTimestamp) {
  candles_[80].timestamp = candles_[79].timestamp;
  expect_only(Reason::kDuplicateTimestamp, {80});
}

TEST_F(ValidationTest, TimestampGoingBackwards) {
  std::swap(candles_[90].timestamp, candles_[91].timestamp);
  // 90 is now 10 minutes after 89 (a step of 2 intervals: not a gap), 91 goes back.
  expect_only(Reason::kTimestampBackwards, {91});
}

TEST_F(ValidationTest, GapWiderThanTheAllowedIntervals) {
  // max_gap_intervals = 2: a 10-minute step is fine, a 15-minute step is a gap.
  for (std::size_t i = 100; i < candles_.size(); ++i) candles_[i].timestamp += 300;
  for (std::size_t i = 150; i < candles_.size(); ++i) candles_[i].timestamp += 600;
  expect_only(Reason::kGap, {150});
}

TEST_F(ValidationTest, SpikeOverTheConfiguredRatio) {
  options_.spike_ratio = 10.0;  // the audit's +1000%
  const double prev = candles_[119].close;
  candles_[120] = {candles_[120].timestamp, prev, prev * 11.5, prev, prev * 11.5, 100};
  candles_[121] = {candles_[121].timestamp, prev * 11.5, prev * 11.5, prev, prev, 100};
  // +1050% is a spike; the fall back (-91%) is not: rugs fall that far and must stay.
  expect_only(Reason::kSpike, {120});
}

TEST_F(ValidationTest, SpikeJustUnderTheRatioIsAccepted) {
  options_.spike_ratio = 10.0;
  const double prev = candles_[119].close;
  candles_[120] = {candles_[120].timestamp, prev, prev * 10.9, prev, prev * 10.9, 100};
  candles_[121].open = candles_[120].close;
  candles_[121].high = std::max(candles_[121].high, candles_[121].open);
  EXPECT_TRUE(validate().accepted) << validate().summary();
}

TEST_F(ValidationTest, WickSpikeCountsLikeACloseSpike) {
  // One bad tick in the high would otherwise fake a take-profit in the labels.
  candles_[125].high = candles_[124].close * 12.0;
  expect_only(Reason::kSpike, {125});
}

TEST_F(ValidationTest, ExtremeTimestampsAreAGapWithoutOverflow) {
  candles_.resize(options_.min_candles);
  for (std::size_t i = 0; i < candles_.size(); ++i) {
    candles_[i].timestamp = std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(i) * 300;
  }
  candles_.back().timestamp = std::numeric_limits<std::int64_t>::max();
  expect_only(Reason::kGap, {candles_.size() - 1});
}

TEST_F(ValidationTest, ZeroVolumeRunOnlyFromTheConfiguredLength) {
  options_.zero_volume_run = 4;
  for (std::size_t i = 130; i < 133; ++i) candles_[i].volume = 0;  // 3: allowed
  for (std::size_t i = 140; i < 144; ++i) candles_[i].volume = 0;  // 4: a dead run
  // random_walk leaves isolated zero-volume bars (t % 37 == 5): those are fine too.
  expect_only(Reason::kZeroVolumeRun, {140, 141, 142, 143});
}

TEST_F(ValidationTest, StaleFlatRun) {
  options_.stale_run = 5;
  const double price = candles_[159].close;
  for (std::size_t i = 160; i < 165; ++i) {
    candles_[i] = {candles_[i].timestamp, price, price, price, price, 1.0};
  }
  candles_[165].open = price;
  candles_[165].high = std::max(candles_[165].high, price);
  candles_[165].low = std::min(candles_[165].low, price);
  expect_only(Reason::kStale, {160, 161, 162, 163, 164});
}

TEST_F(ValidationTest, StaleRunMayStartAtTheFirstBar) {
  options_.stale_run = 5;
  const double price = candles_[5].open;
  for (std::size_t i = 0; i < 5; ++i) {
    candles_[i] = {candles_[i].timestamp, price, price, price, price, 1.0};
  }
  expect_only(Reason::kStale, {0, 1, 2, 3, 4});
}

TEST_F(ValidationTest, SummaryListsEveryReasonWithItsFirstRow) {
  candles_[80].timestamp = candles_[79].timestamp;
  candles_[50].volume = -5;
  EXPECT_EQ(validate().summary(),
            "rejected: negative_volume x1 (first at row 50), duplicate_timestamp x1 (first at row 80)");
}

TEST(ValidationReasons, HaveDistinctStableNames) {
  std::set<std::string_view> names;
  for (std::size_t r = 0; r < kReasonCount; ++r) names.insert(reason_name(static_cast<Reason>(r)));
  EXPECT_EQ(names.size(), kReasonCount);
  EXPECT_EQ(reason_name(Reason::kGap), "gap");
  EXPECT_EQ(reason_name(Reason::kZeroVolumeRun), "zero_volume_run");
}

}  // namespace
}  // namespace snipe
