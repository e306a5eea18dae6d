#include "collector/sources/csv_source.h"

#include <gtest/gtest.h>

#include "shared/core/atomic_file.h"
#include "shared/market/candle_csv.h"
#include "tests/support/series.h"
#include "tests/support/temp_dir.h"

namespace snipe::collector {
namespace {

TEST(CsvContext, EmptyCellsStayUnknownAndUnknownColumnsAreIgnored) {
  const auto contexts = parse_context_csv(
      "token,top10_holder_share,lp_burned,website,age_hours\n"
      "alpha,0.35,1,https://x,\n"
      "beta,,0,,12.5\n",
      "context.csv");
  ASSERT_EQ(contexts.size(), 2u);
  const TokenContext& alpha = contexts.at("alpha");
  EXPECT_DOUBLE_EQ(*alpha[ContextField::kTop10HolderShare], 0.35);
  EXPECT_DOUBLE_EQ(*alpha[ContextField::kLpBurned], 1.0);
  EXPECT_FALSE(alpha[ContextField::kAgeHours].has_value()) << "an empty cell is unknown, not 0";
  EXPECT_FALSE(alpha[ContextField::kInitialLiquidityUsd].has_value()) << "absent column: unknown";
  const TokenContext& beta = contexts.at("beta");
  EXPECT_FALSE(beta[ContextField::kTop10HolderShare].has_value());
  EXPECT_DOUBLE_EQ(*beta[ContextField::kAgeHours], 12.5);
}

TEST(CsvContext, UnknownFactsReachTheModelAsZeroWithAMask) {
  TokenContext context;
  context[ContextField::kTop10HolderShare] = 0.5;
  context[ContextField::kAgeHours] = std::exp(2.0) - 1.0;
  const ContextFeatureRow row = context_features(context);
  EXPECT_DOUBLE_EQ(row[static_cast<std::size_t>(ContextField::kTop10HolderShare)], 0.5);
  EXPECT_NEAR(row[static_cast<std::size_t>(ContextField::kAgeHours)], 2.0, 1e-12);  // log1p
  EXPECT_EQ(row[static_cast<std::size_t>(ContextField::kLpBurned)], 0.0);
  EXPECT_EQ(row[kContextFieldCount + static_cast<std::size_t>(ContextField::kLpBurned)], 1.0);
  EXPECT_EQ(row[kContextFieldCount + static_cast<std::size_t>(ContextField::kAgeHours)], 0.0);
}

TEST(CsvContext, BadNumberNamesFileLineAndField) {
  try {
    parse_context_csv("token,lp_burned\nalpha,yes\n", "dumps/context.csv");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("dumps/context.csv:2: field 'lp_burned' 'yes'"), std::string::npos)
        << e.what();
  }
}

TEST(CsvSource, ListsTokensSortedAndAppliesContextAndAfter) {
  testing::TempDir dir;
  const CandleSeries series = snipe::testing::random_walk(30, 4);
  write_candles_csv(dir / "zeta.csv", series);
  write_candles_csv(dir / "alpha.csv", series);
  write_file_atomically(dir / "context.csv", "token,lp_burned\nalpha,1\n");
  CsvSource source(dir.path());
  EXPECT_EQ(source.list_tokens(), (std::vector<std::string>{"alpha", "zeta"}));
  const FetchedSeries alpha = source.fetch("alpha", series[9].timestamp);
  ASSERT_EQ(alpha.candles.size(), 20u);
  EXPECT_EQ(alpha.candles.front(), series[10]);
  EXPECT_DOUBLE_EQ(*alpha.context[ContextField::kLpBurned], 1.0);
  EXPECT_FALSE(source.fetch("zeta", 0).context[ContextField::kLpBurned].has_value());
}

TEST(CsvSource, AnUnreadableFileFailsThatTokenOnly) {
  testing::TempDir dir;
  write_file_atomically(dir / "bad.csv", "timestamp,open,high,low,close,volume\n1,x,1,1,1,1\n");
  CsvSource source(dir.path());
  try {
    source.fetch("bad", 0);
    FAIL() << "expected SourceError";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.reason(), "unreadable_csv");
    EXPECT_NE(std::string(e.what()).find("bad.csv:2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snipe::collector
