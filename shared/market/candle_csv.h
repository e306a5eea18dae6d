#pragma once
// Candle CSV files: header `timestamp,open,high,low,close,volume` (any column order,
// case-insensitive, extra columns ignored). `timestamp` is Unix seconds, an integral
// number in any notation ("1700000000", "5.4e+08" as R's write.csv prints it), or an
// ISO-8601 UTC date / date-time ("2024-03-01", "2024-03-01T09:35:00Z", "2024-03-01 09:35");
// a fractional number of seconds is refused with the line.

#include <filesystem>
#include <optional>
#include <string_view>

#include "shared/market/candle.h"

namespace snipe {

// Throws DataError "<origin>:<line>: ..." on a missing column or a malformed row.
CandleSeries parse_candles_csv(std::string_view text, std::string_view origin);
CandleSeries read_candles_csv(const std::filesystem::path& path);

// Writes atomically (temp file, fsync, rename).
void write_candles_csv(const std::filesystem::path& path, CandleSpan candles);

// Unix seconds from an integral number (any notation) or ISO-8601 UTC text; nullopt
// otherwise (a fraction, NaN, text).
std::optional<std::int64_t> parse_timestamp(std::string_view field);

}  // namespace snipe
