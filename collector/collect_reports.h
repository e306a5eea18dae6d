#pragma once
// What a collection run reports: each rank's summary (sent to rank 0 as JSON text), and
// from them manifest.json (what the data set is) and quality.json (what was not
// accepted, and why). Computed on structs; JSON appears only where ranks exchange the
// summary and where data_set_dir.h writes the files.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/checkpoint.h"
#include "collector/collect_job.h"
#include "collector/quality_report.h"
#include "shared/store/data_set_manifest.h"
#include "shared/store/shard.h"

namespace snipe::collector {

// A series' content hash, for the data set hash.
struct SeriesHash {
  std::string token;
  std::string hash;  // hex64
  friend bool operator==(const SeriesHash&, const SeriesHash&) = default;
};

// One rank's counts, verdicts and shard facts.
struct RankSummary {
  ShardEntry shard;                      // the written shard, as the manifest lists it
  std::int64_t accepted = 0;             // tokens by outcome
  std::int64_t rejected = 0;
  std::int64_t failed = 0;
  std::int64_t profitable = 0;           // examples with each label set
  std::int64_t rug = 0;
  std::optional<std::int64_t> first_timestamp;  // over the shard's series; none without series
  std::optional<std::int64_t> last_timestamp;
  std::vector<SeriesHash> series_hashes;          // [series of the shard]
  std::map<std::string, std::int64_t> rejections;  // tokens with bars flagged, per reason
  std::map<std::string, std::int64_t> failures;    // tokens per failure reason
  std::vector<TokenVerdict> verdicts;              // every token of the rank, in token order
  std::vector<TokenVerdict> refreshes_failed;      // accepted tokens whose refresh failed
};

// This rank's summary (`shard_path`: the written file of generation `generation`).
RankSummary rank_summary(int rank, int generation, const std::vector<TokenOutcome>& outcomes,
                         const Shard& shard, const std::filesystem::path& shard_path);

// The form rank 0 gathers. rank_summary_from_json throws DataError naming `source`
// and the field.
nlohmann::json to_json(const RankSummary& summary);
RankSummary rank_summary_from_json(const nlohmann::json& json, const std::string& source);

struct Reports {
  DataSetManifest manifest;
  QualityReport quality;
};
// REQUIRES: `summaries` in rank order, one per rank.
// The manifest's content_hash covers every series and example sorted by token: equal for
// the same data whatever the number of ranks or the token order.
Reports make_reports(const std::vector<RankSummary>& summaries, std::string_view source_kind,
                     const CollectJobOptions& options, std::size_t listed, int generation);

}  // namespace snipe::collector
