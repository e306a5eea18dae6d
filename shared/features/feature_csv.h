#pragma once
// CSV output of computed features: `timestamp` then one column per feature, one row per
// candle, an empty cell where a value is undefined (warm-up, no label).

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "shared/core/table.h"
#include "shared/features/labels.h"
#include "shared/market/candle.h"

namespace snipe {

// A block of columns: names.size() == table.cols, table.rows == candles.size().
struct ColumnBlock {
  std::span<const std::string_view> names;
  const Table& table;
};

// Writes atomically. Non-empty `labels` ([candles.size()]) adds profitable,max_profit,rug.
void write_feature_csv(const std::filesystem::path& path, CandleSpan candles,
                       std::span<const ColumnBlock> blocks,
                       std::span<const std::optional<Label>> labels = {});

}  // namespace snipe
