#pragma once
// The on-disk layout of a data set and its commit protocol. The published manifest.json
// IS the data set: readers open only the shards it lists. Each run writes its shards into
// a new generation folder (g000002/...) that no manifest lists yet, then commits by
// replacing manifest.json atomically. A process killed at any moment therefore leaves
// either the previous data set whole or the new one whole, never a mix; leftovers of a
// killed run (an unlisted generation folder, the work area) are removed by the next run.
//
//   DATA_DIR/manifest.json                       the published data set (commit point)
//   DATA_DIR/quality.json                        the published run's quality report
//   DATA_DIR/gNNNNNN/shard-RRRRR.h5, quality.json one generation of shards, one per rank
//   DATA_DIR/.work/plan.json                     the run's token list and source snapshot
//   DATA_DIR/.work/rank-RRRRR-of-NNNNN/          per-token checkpoints of each rank
//
// Not thread-safe; commit() and tidy() run on one rank (0) only.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "collector/quality_report.h"
#include "shared/store/data_set_manifest.h"

#include "shared/core/env.h"

namespace snipe::collector {

std::string shard_file_name(int rank);  // "shard-00000.h5"

class DataSetDir {
 public:
  explicit DataSetDir(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }

  // The published manifest, or nullopt when none. Throws DataError naming the file and
  // the field when unreadable.
  std::optional<DataSetManifest> published_manifest() const;
  // Absolute paths of the shards the published manifest lists (empty when none).
  std::vector<std::filesystem::path> published_shards() const;
  // The generation a new run writes: one past the published one (1 for a new data set).
  int next_generation() const { return generation_after(published_manifest()); }
  static int generation_after(const std::optional<DataSetManifest>& published_manifest);

  // "g000002/shard-00000.h5": a shard's path relative to the root, as manifests list it.
  static std::string shard_entry(int generation, int rank);
  static std::string quality_entry(int generation);  // "g000002/quality.json"
  std::filesystem::path shard_path(int generation, int rank) const;  // creates the folder
  std::filesystem::path checkpoint_dir(int rank, int size) const;
  std::filesystem::path plan_path() const;

  // Publishes a run: its quality report into its generation folder, then manifest.json
  // (atomic rename: the commit), then tidy(). Files are written through `env`.
  void commit(int generation, const DataSetManifest& manifest, const QualityReport& quality, Env& env) const;
  // Removes generation folders other than the published one and the one before it (a
  // reader may still be loading it), temp files of killed writes, and refreshes
  // quality.json from the published generation (through `env`). Idempotent.
  void tidy(Env& env) const;
  void remove_work_area() const;

 private:
  std::filesystem::path generation_dir(int generation) const;
  std::filesystem::path root_;
};

}  // namespace snipe::collector
