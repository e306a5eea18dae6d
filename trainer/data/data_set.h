#pragma once
// A collected data set in memory: every series of every shard the manifest lists, and the
// example index re-based onto that list. Series are stored once and windows are cut from
// them on demand (DESIGN.md "Store series, not copies of windows"), so this fits in RAM
// on every rank.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/features/labels.h"
#include "shared/store/data_set_manifest.h"
#include "shared/store/shard.h"
#include "trainer/data/split_options.h"

namespace snipe::trainer {

struct DataSet {
  std::vector<SeriesRecord> series;  // all shards, in manifest order
  std::vector<Example> examples;     // Example::series indexes `series`
  LabelOptions labels;               // the barriers the labels were made with
  DataSetManifest manifest;          // the manifest it was loaded from
  std::string manifest_hash;         // hex64 FNV-1a of manifest.json's bytes (export metadata)
};

// Loads DATA_DIR/manifest.json and every shard it lists; checks schema versions, feature
// names and each shard's content hash against the manifest. Throws DataError naming the
// file and what to do.
DataSet load_data_set(const std::filesystem::path& data_dir);

// Indices into DataSet::examples, each list ascending.
struct Split {
  std::vector<std::uint32_t> train, val, test;
  nlohmann::json boundaries;  // per token: the end rows where val and test begin (metadata)
};

// Usable examples: the whole window [end_row - T + 1, end_row] lies in rows where every
// model feature is defined (end_row + 1 >= kModelFeatureWarmup + T): usable() below.
// Purge: an example whose label horizon (end_row + H) reaches past its split's last row,
// or whose window (end_row - T + 1) starts before its split's first row, is dropped.
// Embargo: `embargo` more rows are dropped after each boundary.
Split split_examples(const DataSet& data, const SplitOptions& options);

// Whether `example`'s window of `window` rows lies wholly in rows where every model
// feature is defined.
bool usable(const Example& example, std::size_t window);

}  // namespace snipe::trainer
