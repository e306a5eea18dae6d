#include "shared/features/feature_csv.h"

#include <cassert>
#include <string>

#include "shared/core/atomic_file.h"
#include "shared/core/csv.h"

namespace snipe {

void write_feature_csv(const std::filesystem::path& path, CandleSpan candles,
                       std::span<const ColumnBlock> blocks) {
  AtomicFile file(path);
  std::string line = "timestamp";
  for (const ColumnBlock& block : blocks) {
    assert(block.table.rows == candles.size() && block.table.cols == block.names.size());
    for (const std::string_view name : block.names) line.append(",").append(name);
  }
  line.push_back('\n');

  for (std::size_t t = 0; t < candles.size(); ++t) {
    csv::append_int(line, candles[t].timestamp);
    for (const ColumnBlock& block : blocks) {
      for (const double value : block.table.row(t)) {
        line.push_back(',');
        csv::append_double(line, value);
      }
    }
    line.push_back('\n');
    file.append(line);
    line.clear();
  }
  file.commit();
}

}  // namespace snipe
