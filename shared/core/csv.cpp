#include "shared/core/csv.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace snipe::csv {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Drops one leading '+', which from_chars does not accept; false for "", "+" and "+-5".
bool strip_plus(std::string_view& field) {
  if (!field.empty() && field.front() == '+') {
    field.remove_prefix(1);
    if (!field.empty() && field.front() == '-') return false;
  }
  return !field.empty();
}

}  // namespace

void split_line(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field.push_back(c);
    }
  }
  fields.push_back(std::move(field));
}

LineReader::LineReader(std::string_view text) : rest_(text) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (rest_.starts_with(kUtf8Bom)) rest_.remove_prefix(kUtf8Bom.size());
}

std::optional<std::string_view> LineReader::next() {
  while (!rest_.empty()) {
    const std::size_t end = rest_.find('\n');
    std::string_view line = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end + 1);
    ++line_number_;
    if (!trim(line).empty()) return line;
  }
  return std::nullopt;
}

std::optional<double> parse_double(std::string_view field) {
  field = trim(field);
  if (!strip_plus(field)) return std::nullopt;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_int(std::string_view field) {
  field = trim(field);
  if (!strip_plus(field)) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

void append_double(std::string& out, double value) {
  if (std::isnan(value)) return;
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void append_int(std::string& out, std::int64_t value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

std::string normalize_header(std::string_view name) {
  std::string out(trim(name));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace snipe::csv
