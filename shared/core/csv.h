#pragma once
// Small CSV primitives shared by every CSV reader and writer: RFC 4180 field splitting,
// strict number parsing and shortest round-trip number formatting.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snipe::csv {

// Splits one line (without its newline) into fields. Handles "quoted, fields" and
// doubled quotes; a trailing '\r' is dropped. `fields` is reused to avoid allocation.
void split_line(std::string_view line, std::vector<std::string>& fields);

// Iterates the lines of a whole file, tracking 1-based line numbers for error messages.
class LineReader {
 public:
  explicit LineReader(std::string_view text);
  // Next non-empty line, or nullopt at the end.
  std::optional<std::string_view> next();
  std::size_t line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  std::size_t line_number_ = 0;
};

// Whole-field parses (leading/trailing blanks allowed); nullopt when the field is not
// exactly one number. Accepts "nan"/"inf" for doubles so callers decide what they mean.
std::optional<double> parse_double(std::string_view field);
std::optional<std::int64_t> parse_int(std::string_view field);

// Appends the shortest text that reads back as exactly `value`; NaN appends nothing
// (an empty cell), infinities append "inf"/"-inf".
void append_double(std::string& out, double value);
void append_int(std::string& out, std::int64_t value);

// Lower-cases and trims a header name so "  Close" matches "close".
std::string normalize_header(std::string_view name);

}  // namespace snipe::csv
