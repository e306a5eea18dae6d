#pragma once
// manifest.json of a data set: what the data set is. The collector writes it as its commit
// (collector/data_set_dir.h); the collector's next run, the trainer and the command line
// read it. One struct with one writer and one reader, in shared/ so that the trainer
// reads it without linking the collector.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/features/labels.h"

namespace snipe {

class JsonFields;

// manifest.json's schema_version; bumped whenever a field changes meaning or goes away.
inline constexpr std::int64_t kManifestSchemaVersion = 1;

// One rank's shard as the manifest lists it.
struct ShardEntry {
  std::string file;          // relative to the data set root: "g000002/shard-00000.h5"
  std::int64_t rank = 0;     // the rank that wrote it
  std::int64_t series = 0;   // series it holds
  std::int64_t rows = 0;     // candles over all its series
  std::int64_t examples = 0;
  std::string content_hash;  // hex64 of content_hash(shard) (shared/store/shard.h)
  std::uint64_t bytes = 0;   // file size
};

// Tokens of a run by outcome; accepted + rejected + failed == listed.
struct TokenCounts {
  std::int64_t listed = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t failed = 0;
};

// The feature library's names the data set was built with, each list in column order.
struct FeatureLists {
  std::vector<std::string> candle_features;
  std::vector<std::string> indicator_features;
  std::vector<std::string> indicators;
  std::vector<std::string> context_fields;

  friend bool operator==(const FeatureLists&, const FeatureLists&) = default;
};
FeatureLists this_build_feature_lists();

struct DataSetManifest {
  std::int64_t schema_version = kManifestSchemaVersion;
  std::int64_t shard_schema_version = 0;  // of every listed shard
  std::int64_t generation = 0;            // the gNNNNNN folder of the shards (1, 2, ...)
  std::string source;                     // the source kind: "synthetic", "csv", ...
  std::string config_fingerprint;         // hex64 of the settings that made it
  std::string base_fingerprint;           // hex64 of the settings an incremental run must share
  std::int64_t feature_version = 0;
  std::string quality;                    // "g000002/quality.json"
  std::int64_t ranks = 0;
  std::vector<ShardEntry> shards;         // [rank]
  TokenCounts tokens;
  std::int64_t examples = 0;
  std::int64_t rows = 0;
  std::optional<double> profitable_rate;  // label_balance: share of examples; none without examples
  std::optional<double> rug_rate;
  LabelOptions labels;
  FeatureLists features;
  std::optional<std::int64_t> first_timestamp;  // time_range over all series; none without series
  std::optional<std::int64_t> last_timestamp;
  std::string content_hash;  // over every series sorted by token: the same for the same data
                             // whatever the number of ranks
};

nlohmann::json to_json(const DataSetManifest& manifest);
// A shard entry's fields (also the shard part of a rank's summary, collect_reports.h).
nlohmann::json to_json(const ShardEntry& shard);
ShardEntry shard_entry_from_json(const JsonFields& fields);
nlohmann::json to_json(const TokenCounts& tokens);

// Reads manifest.json's content (`source` names the file in errors). Throws DataError
// naming the file and the field when one is missing or mistyped, and when the schema
// version is not this build's.
DataSetManifest data_set_manifest_from_json(const nlohmann::json& json, const std::string& source);
TokenCounts token_counts_from_json(const JsonFields& tokens);

}  // namespace snipe
