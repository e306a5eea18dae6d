#include "collector/sources/csv_source.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "shared/core/atomic_file.h"
#include "shared/core/csv.h"
#include "shared/market/candle_csv.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kContextFile = "context.csv";

// Context field index per column of context.csv; nullopt for columns we do not know.
std::vector<std::optional<std::size_t>> context_columns(const std::vector<std::string>& header,
                                                        std::size_t& token_column,
                                                        std::string_view origin) {
  std::vector<std::optional<std::size_t>> fields(header.size());
  token_column = header.size();
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::string name = csv::normalize_header(header[c]);
    if (name == "token") token_column = c;
    const auto it = std::find(kContextFieldNames.begin(), kContextFieldNames.end(), name);
    if (it != kContextFieldNames.end()) fields[c] = static_cast<std::size_t>(it - kContextFieldNames.begin());
  }
  if (token_column == header.size()) {
    throw DataError(fmt::format("{}:1: missing column 'token'", origin));
  }
  return fields;
}

}  // namespace

std::map<std::string, TokenContext, std::less<>> parse_context_csv(std::string_view text,
                                                                   std::string_view origin) {
  csv::LineReader lines(text);
  std::map<std::string, TokenContext, std::less<>> contexts;
  const auto header_line = lines.next();
  if (!header_line) return contexts;
  std::vector<std::string> fields;
  csv::split_line(*header_line, fields);
  std::size_t token_column = 0;
  const auto columns = context_columns(fields, token_column, origin);
  while (const auto line = lines.next()) {
    csv::split_line(*line, fields);
    if (token_column >= fields.size()) {
      throw DataError(fmt::format("{}:{}: missing the token cell", origin, lines.line_number()));
    }
    TokenContext& context = contexts[fields[token_column]];
    for (std::size_t c = 0; c < fields.size() && c < columns.size(); ++c) {
      if (!columns[c] || fields[c].find_first_not_of(" \t\r") == std::string::npos) continue;
      const auto value = csv::parse_double(fields[c]);
      if (!value) {
        throw DataError(fmt::format("{}:{}: field '{}' '{}' is not a number (leave it empty when "
                                    "unknown)",
                                    origin, lines.line_number(), kContextFieldNames[*columns[c]],
                                    fields[c]));
      }
      context.fields[*columns[c]] = *value;
    }
  }
  return contexts;
}

CsvSource::CsvSource(fs::path dir) : dir_(std::move(dir)) {
  if (!fs::is_directory(dir_)) {
    throw ConfigError(fmt::format("csv source: {} is not a directory; set source.csv_dir or "
                                  "pass --csv-dir",
                                  dir_.string()));
  }
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const fs::path& path = entry.path();
    if (entry.is_regular_file() && path.extension() == ".csv" && path.filename() != kContextFile) {
      tokens_.push_back(path.stem().string());
    }
  }
  std::sort(tokens_.begin(), tokens_.end());
  if (tokens_.empty()) {
    throw ConfigError(fmt::format("csv source: {} holds no <token>.csv file", dir_.string()));
  }
  const fs::path context_path = dir_ / kContextFile;
  if (fs::exists(context_path)) context_ = parse_context_csv(read_file(context_path), context_path.string());
}

FetchedSeries CsvSource::fetch(const std::string& token, std::int64_t after) {
  FetchedSeries out;
  const fs::path path = dir_ / (token + ".csv");
  try {
    out.candles = read_candles_csv(path);
  } catch (const Error& e) {
    throw SourceError("unreadable_csv", e.what());
  }
  std::erase_if(out.candles, [after](const Candle& c) { return c.timestamp <= after; });
  if (const auto it = context_.find(token); it != context_.end()) out.context = it->second;
  return out;
}

}  // namespace snipe::collector
