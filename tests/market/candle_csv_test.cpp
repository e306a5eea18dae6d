#include "shared/market/candle_csv.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "shared/core/errors.h"
#include "tests/support/series.h"

namespace snipe {
namespace {

std::string parse_error(std::string_view text) {
  try {
    parse_candles_csv(text, "in.csv");
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(CandleCsv, ReadsColumnsByNameInAnyOrderIgnoringExtras) {
  const auto candles = parse_candles_csv(
      "Volume,address,Close,Low,High,Open,Timestamp\n"
      "10,\"So1,x\",1.5,0.9,2,1,1700000000\n"
      "0,y,1.25e-9,1e-9,2e-9,1.5e-9,1700000300\n",
      "in.csv");
  ASSERT_EQ(candles.size(), 2u);
  EXPECT_EQ(candles[0], (Candle{1700000000, 1.0, 2.0, 0.9, 1.5, 10.0}));
  EXPECT_EQ(candles[1], (Candle{1700000300, 1.5e-9, 2e-9, 1e-9, 1.25e-9, 0.0}));
}

TEST(CandleCsv, AcceptsIsoDatesForDailyFiles) {
  const auto candles = parse_candles_csv(
      "timestamp,open,high,low,close,volume\n"
      "2024-03-01,1,2,0.5,1.5,100\n"
      "2024-03-01T09:35:00Z,1,2,0.5,1.5,100\n"
      "2024-03-01 09:35,1,2,0.5,1.5,100\n",
      "daily.csv");
  ASSERT_EQ(candles.size(), 3u);
  EXPECT_EQ(candles[0].timestamp, 1709251200);  // 2024-03-01T00:00:00Z
  EXPECT_EQ(candles[1].timestamp, 1709251200 + 9 * 3600 + 35 * 60);
  EXPECT_EQ(candles[2].timestamp, candles[1].timestamp);
}

TEST(CandleCsv, IntegralTimestampsInAnyNumericNotationAreUnixSeconds) {
  // As R's write.csv writes a data frame: a quoted header, a row-name column, and
  // 540000000 printed as 5.4e+08 because that is shorter.
  const auto candles = parse_candles_csv(
      "\"\",\"timestamp\",\"open\",\"high\",\"low\",\"close\",\"volume\"\n"
      "\"534\",539999700,1,2,0.5,1.5,100\n"
      "\"535\",5.4e+08,1,2,0.5,1.5,100\n"
      "\"536\",540000300.0,1,2,0.5,1.5,100\n"
      "\"537\",5.400006E8,1,2,0.5,1.5,100\n",
      "r.csv");
  ASSERT_EQ(candles.size(), 4u);
  EXPECT_EQ(candles[0].timestamp, 539999700);
  EXPECT_EQ(candles[1].timestamp, 540000000);
  EXPECT_EQ(candles[2].timestamp, 540000300);
  EXPECT_EQ(candles[3].timestamp, 540000600);
}

TEST(CandleCsv, FractionalOrNonFiniteTimestampIsRefusedWithTheLine) {
  const std::string fraction = parse_error(
      "timestamp,open,high,low,close,volume\n"
      "1700000000,1,2,0.5,1.5,100\n"
      "1.7000003005e9,1,2,0.5,1.5,100\n");
  EXPECT_NE(fraction.find("in.csv:3: field 'timestamp' '1.7000003005e9' is not a whole number of seconds"),
            std::string::npos)
      << fraction;
  for (const char* bad : {"nan", "inf", "1e300"}) {
    const std::string message =
        parse_error(std::string("timestamp,open,high,low,close,volume\n") + bad + ",1,2,0.5,1.5,100\n");
    EXPECT_NE(message.find("in.csv:2: field 'timestamp'"), std::string::npos) << bad << ": " << message;
  }
}

TEST(CandleCsv, MalformedRowNamesFileLineFieldAndValue) {
  const std::string message = parse_error(
      "timestamp,open,high,low,close,volume\n"
      "1700000000,1,2,0.5,1.5,100\n"
      "\n"
      "1700000300,1,2,0.5,abc,100\n");
  EXPECT_NE(message.find("in.csv:4: field 'close' 'abc' is not a number"), std::string::npos)
      << message;
}

TEST(CandleCsv, ShortRowAndBadTimestampAreErrors) {
  EXPECT_NE(parse_error("timestamp,open,high,low,close,volume\n1,2,3\n").find("in.csv:2: field 'low' is missing"),
            std::string::npos);
  EXPECT_NE(parse_error("timestamp,open,high,low,close,volume\n2024-13-01,1,1,1,1,1\n")
                .find("field 'timestamp'"),
            std::string::npos);
}

TEST(CandleCsv, DuplicatedColumnIsAnErrorNotASilentChoice) {
  const std::string message =
      parse_error("timestamp,open,high,low,close,volume,Close\n1,1,1,1,1,1,999\n");
  EXPECT_NE(message.find("column 'close' appears twice (columns 5 and 7)"), std::string::npos)
      << message;
}

TEST(CandleCsv, MissingColumnIsNamed) {
  const std::string message = parse_error("timestamp,open,high,low,close\n1,1,1,1,1\n");
  EXPECT_NE(message.find("missing column 'volume'"), std::string::npos) << message;
  EXPECT_NE(parse_error("").find("empty file"), std::string::npos);
}

TEST(CandleCsv, WriteThenReadIsExact) {
  const auto candles = testing::random_walk(300, 11, 3.7e-7);
  const auto path = std::filesystem::temp_directory_path() / "snipe-candle-roundtrip.csv";
  write_candles_csv(path, candles);
  EXPECT_EQ(read_candles_csv(path), candles);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace snipe
