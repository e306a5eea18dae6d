#pragma once
// The JSON a collection run reports: each rank's summary (gathered to rank 0), and from
// them manifest.json (what the data set is) and quality.json (what was not accepted, and
// why).

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/checkpoint.h"
#include "collector/collect_job.h"
#include "shared/store/shard.h"

namespace snipe::collector {

// This rank's counts, verdicts and shard facts (`shard_path`: the written file of
// generation `generation`), including a hash per series for the data set hash.
nlohmann::json rank_summary(int rank, int generation, const std::vector<TokenOutcome>& outcomes,
                            const Shard& shard, const std::filesystem::path& shard_path);

struct Reports {
  nlohmann::json manifest;
  nlohmann::json quality;
};
// REQUIRES: `summaries` in rank order, one per rank.
// The manifest's content_hash covers every series and example sorted by token: equal for
// the same data whatever the number of ranks or the token order.
Reports make_reports(const std::vector<nlohmann::json>& summaries, std::string_view source_kind,
                     const CollectJobOptions& options, std::size_t listed, int generation);

}  // namespace snipe::collector
