#include "shared/core/csv.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace snipe::csv {
namespace {

TEST(CsvSplit, HonoursQuotesAndDoubledQuotes) {
  std::vector<std::string> fields;
  split_line(R"(1,"a, b","say ""hi""",)", fields);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], "1");
  EXPECT_EQ(fields[1], "a, b");
  EXPECT_EQ(fields[2], "say \"hi\"");
  EXPECT_EQ(fields[3], "");
}

TEST(CsvSplit, DropsCarriageReturnOfWindowsLineEndings) {
  std::vector<std::string> fields;
  split_line("1,2\r", fields);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[1], "2");
}

TEST(CsvLines, SkipBlankLinesButCountThem) {
  LineReader lines("\xEF\xBB\xBFh\n\n  \nrow\n");
  EXPECT_EQ(lines.next(), "h");
  EXPECT_EQ(lines.line_number(), 1u);
  EXPECT_EQ(lines.next(), "row");
  EXPECT_EQ(lines.line_number(), 4u);
  EXPECT_FALSE(lines.next().has_value());
}

TEST(CsvNumbers, ParseOnlyWholeFields) {
  EXPECT_EQ(parse_double(" 1.5e-9 "), 1.5e-9);
  EXPECT_EQ(parse_double("+2"), 2.0);
  EXPECT_FALSE(parse_double("1.5x").has_value());
  EXPECT_FALSE(parse_double("").has_value());
  EXPECT_FALSE(parse_double("1,5").has_value());
  EXPECT_FALSE(parse_double("+-5").has_value());
  EXPECT_FALSE(parse_double("+").has_value());
  EXPECT_FALSE(parse_int("+-5").has_value());
  EXPECT_EQ(parse_int("1700000000"), 1700000000);
  EXPECT_FALSE(parse_int("17.5").has_value());
}

TEST(CsvNumbers, FormatRoundTripsExactlyAndLeavesNanEmpty) {
  for (const double value : {0.1, 1.0 / 3.0, 1e-9 * 7.123456789, 123456789.125, -2.5e300}) {
    std::string text;
    append_double(text, value);
    EXPECT_EQ(parse_double(text), value) << text;
  }
  std::string text;
  append_double(text, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(text, "");
  append_double(text, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(text, "-inf");
}

TEST(CsvHeaders, NormalizeCaseAndBlanks) { EXPECT_EQ(normalize_header("  Close\t"), "close"); }

}  // namespace
}  // namespace snipe::csv
