#include "trainer/train/metrics_log.h"

#include <sstream>
#include <string>

#include <fmt/format.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"

namespace snipe::trainer {

MetricsLog::MetricsLog(std::filesystem::path path, std::int64_t epochs_completed) : path_(std::move(path)) {
  if (std::filesystem::exists(path_)) {
    std::istringstream in(read_file(path_));
    std::string kept;
    for (std::string line; std::getline(in, line);) {
      const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (record.is_object() && record.value("epoch", std::int64_t{-1}) <= epochs_completed &&
          record.value("epoch", std::int64_t{-1}) >= 0 && !record.value("final", false)) {
        kept += line + "\n";
      }
    }
    write_file_atomically(path_, kept);
  }
  out_.open(path_, std::ios::app);
  if (!out_) throw IoError(fmt::format("{}: cannot open the metrics file for appending", path_.string()));
}

void MetricsLog::append(const nlohmann::json& record) {
  out_ << record.dump() << '\n';
  out_.flush();
  if (!out_) throw IoError(fmt::format("{}: cannot append a metrics record (disk full?)", path_.string()));
}

}  // namespace snipe::trainer
