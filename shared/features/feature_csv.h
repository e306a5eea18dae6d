#pragma once
// CSV output of computed features: `timestamp` then one column per feature, one row per
// candle, an empty cell where a value is undefined (warm-up).

#include <filesystem>
#include <span>
#include <string_view>

#include "shared/core/table.h"
#include "shared/market/candle.h"

namespace snipe {

// A block of columns: names.size() == table.cols, table.rows == candles.size().
struct ColumnBlock {
  std::span<const std::string_view> names;
  const Table& table;
};

// Writes atomically.
void write_feature_csv(const std::filesystem::path& path, CandleSpan candles,
                       std::span<const ColumnBlock> blocks);

}  // namespace snipe
