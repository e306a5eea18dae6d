#pragma once
// RUN_DIR/metrics.jsonl: one JSON record per completed epoch, appended as training goes,
// then one record with "final": true (the best epoch against the baselines, val and test).
// A resumed run first drops the records of epochs after its checkpoint (a crash may fall
// between a record and its checkpoint) and the final record (it writes its own), so the
// file always describes one run's epochs once each. Not thread-safe: rank 0's training thread only.

#include <cstdint>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace snipe::trainer {

class MetricsLog {
 public:
  // Keeps the records whose "epoch" is <= `epochs_completed` (rewritten atomically) and
  // opens the file for appending. Throws IoError naming the file.
  MetricsLog(std::filesystem::path path, std::int64_t epochs_completed);

  // Appends `record` as one line and flushes it. Throws IoError.
  void append(const nlohmann::json& record);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace snipe::trainer
