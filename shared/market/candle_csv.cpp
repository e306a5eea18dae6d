#include "shared/market/candle_csv.h"

#include <array>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shared/core/atomic_file.h"
#include "shared/core/csv.h"
#include "shared/core/errors.h"

namespace snipe {
namespace {

constexpr std::array<std::string_view, 6> kColumns = {"timestamp", "open",  "high",
                                                      "low",       "close", "volume"};

// Column index in the file for each of kColumns.
std::array<std::size_t, 6> locate_columns(const std::vector<std::string>& header,
                                          std::string_view origin) {
  std::array<std::size_t, 6> index{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    std::size_t found = header.size();
    for (std::size_t h = 0; h < header.size(); ++h) {
      if (csv::normalize_header(header[h]) != kColumns[c]) continue;
      if (found != header.size()) {
        throw DataError(fmt::format("{}:1: column '{}' appears twice (columns {} and {}); keep one",
                                    origin, kColumns[c], found + 1, h + 1));
      }
      found = h;
    }
    if (found == header.size()) {
      throw DataError(fmt::format(
          "{}:1: missing column '{}'; the header must name timestamp,open,high,low,close,volume",
          origin, kColumns[c]));
    }
    index[c] = found;
  }
  return index;
}

// Digits of a fixed-width field, or -1.
int digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

std::optional<std::int64_t> parse_iso8601(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (!s.empty() && s.back() == 'Z') s.remove_suffix(1);
  const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  if (year < 0 || month < 0 || day < 0 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok()) return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  if (s.size() > 10) {
    if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
    hour = digits(s, 11, 2);
    minute = digits(s, 14, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || s[13] != ':') return std::nullopt;
    if (s.size() > 16) {
      second = digits(s, 17, 2);
      if (s[16] != ':' || second < 0 || second > 60 || s.size() != 19) return std::nullopt;
    } else if (s.size() != 16) {
      return std::nullopt;
    }
  }
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + hour * 3600 + minute * 60 + second;
}

// An integral number in any notation ("5.4e+08", as R's write.csv prints 540000000, or
// "1700000000.0") is Unix seconds; nullopt for a fraction, NaN, an infinity or a value
// beyond +-2^53 (where a double no longer holds every whole second).
std::optional<std::int64_t> whole_seconds(double number) {
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (!(std::fabs(number) <= kExact) || std::trunc(number) != number) return std::nullopt;
  return static_cast<std::int64_t>(number);
}

// Why `field` is not a timestamp, for the error message.
std::string timestamp_problem(std::string_view field) {
  const auto number = csv::parse_double(field);
  if (number && std::isfinite(*number) && std::trunc(*number) == *number) {
    return fmt::format("'{}' is out of range for Unix seconds", field);
  }
  if (number && std::isfinite(*number)) {
    return fmt::format("'{}' is not a whole number of seconds; timestamps are Unix seconds (integral) or "
                       "ISO-8601 dates",
                       field);
  }
  return fmt::format("'{}' is neither Unix seconds nor an ISO-8601 date", field);
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view field) {
  if (auto seconds = csv::parse_int(field)) return seconds;
  if (const auto number = csv::parse_double(field)) return whole_seconds(*number);
  return parse_iso8601(field);
}

CandleSeries parse_candles_csv(std::string_view text, std::string_view origin) {
  csv::LineReader lines(text);
  const auto header_line = lines.next();
  if (!header_line) throw DataError(fmt::format("{}: empty file; expected a CSV header", origin));
  std::vector<std::string> fields;
  csv::split_line(*header_line, fields);
  const auto column = locate_columns(fields, origin);

  CandleSeries candles;
  while (const auto line = lines.next()) {
    csv::split_line(*line, fields);
    const auto fail = [&](std::size_t c, std::string_view problem) {
      return DataError(fmt::format("{}:{}: field '{}' {}", origin, lines.line_number(),
                                   kColumns[c], problem));
    };
    Candle candle;
    double* const prices[5] = {&candle.open, &candle.high, &candle.low, &candle.close,
                               &candle.volume};
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (column[c] >= fields.size()) throw fail(c, fmt::format("is missing ({} fields on the line)", fields.size()));
      const std::string& field = fields[column[c]];
      if (c == 0) {
        const auto timestamp = parse_timestamp(field);
        if (!timestamp) throw fail(c, timestamp_problem(field));
        candle.timestamp = *timestamp;
      } else {
        const auto value = csv::parse_double(field);
        if (!value) throw fail(c, fmt::format("'{}' is not a number", field));
        *prices[c - 1] = *value;
      }
    }
    candles.push_back(candle);
  }
  return candles;
}

CandleSeries read_candles_csv(const std::filesystem::path& path) {
  return parse_candles_csv(read_file(path), path.string());
}

void write_candles_csv(const std::filesystem::path& path, CandleSpan candles) {
  AtomicFile file(path);
  std::string line = "timestamp,open,high,low,close,volume\n";
  for (const Candle& c : candles) {
    csv::append_int(line, c.timestamp);
    for (const double value : {c.open, c.high, c.low, c.close, c.volume}) {
      line.push_back(',');
      csv::append_double(line, value);
    }
    line.push_back('\n');
    file.append(line);
    line.clear();
  }
  file.append(line);
  file.commit();
}

}  // namespace snipe
