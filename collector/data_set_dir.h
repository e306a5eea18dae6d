#pragma once
// The on-disk layout of a data set and its commit protocol. The published manifest.json
// is the data set: readers open only the shards it lists. A run stages its shards and
// reports under .work/staged/; writing the staged manifest (last, atomically) commits the
// run; publish() then moves the staged files into place and the manifest last. A process
// killed at any moment leaves either the old data set intact (no staged manifest yet) or a
// committed run that the next start rolls forward: never a mix of old and new shards.
//
//   DATA_DIR/manifest.json, quality.json, shard-RRRRR.h5      published
//   DATA_DIR/.work/staged/...                                  the run being committed
//   DATA_DIR/.work/rank-RRRRR-of-NNNNN/                        per-token checkpoints
//
// Not thread-safe; publish() and recover() run on one rank (0) only.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace snipe::collector {

std::string shard_file_name(int rank);  // "shard-00000.h5"

class DataSetDir {
 public:
  explicit DataSetDir(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path staged_shard(int rank) const;
  std::filesystem::path checkpoint_dir(int rank, int size) const;

  // The published manifest, or nullopt when none. Throws DataError when unreadable.
  std::optional<nlohmann::json> published_manifest() const;

  // Writes quality.json, then the manifest (the commit point) into the staging area.
  void stage_reports(const nlohmann::json& manifest, const nlohmann::json& quality) const;
  // Rolls a committed run forward: staged shards and quality.json into place, then the
  // manifest; removes shards the new manifest does not list. Idempotent. No-op when no
  // staged manifest exists (an uncommitted run leaves the published data set as it was).
  void publish() const;
  // After publish on every rank: drops the work area.
  void remove_work_area() const;

 private:
  std::filesystem::path staged(const std::string& name) const;
  std::filesystem::path root_;
};

}  // namespace snipe::collector
