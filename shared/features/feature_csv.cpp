#include "shared/features/feature_csv.h"

#include <cassert>
#include <string>

#include "shared/core/atomic_file.h"
#include "shared/core/csv.h"

namespace snipe {

void write_feature_csv(const std::filesystem::path& path, CandleSpan candles,
                       std::span<const ColumnBlock> blocks,
                       std::span<const std::optional<Label>> labels) {
  assert(labels.empty() || labels.size() == candles.size());
  AtomicFile file(path);
  std::string line = "timestamp";
  for (const ColumnBlock& block : blocks) {
    assert(block.table.rows == candles.size() && block.table.cols == block.names.size());
    for (const std::string_view name : block.names) line.append(",").append(name);
  }
  if (!labels.empty()) line += ",profitable,max_profit,rug";
  line.push_back('\n');

  for (std::size_t t = 0; t < candles.size(); ++t) {
    csv::append_int(line, candles[t].timestamp);
    for (const ColumnBlock& block : blocks) {
      for (const double value : block.table.row(t)) {
        line.push_back(',');
        csv::append_double(line, value);
      }
    }
    if (!labels.empty()) {
      if (const auto& label = labels[t]) {
        line += label->profitable ? ",1," : ",0,";
        csv::append_double(line, label->max_profit);
        line += label->rug ? ",1" : ",0";
      } else {
        line += ",,,";
      }
    }
    line.push_back('\n');
    file.append(line);
    line.clear();
  }
  file.commit();
}

}  // namespace snipe
