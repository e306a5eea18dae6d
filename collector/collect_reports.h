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

// This rank's counts, verdicts and shard facts (`shard_path`: the written file).
nlohmann::json rank_summary(int rank, const std::vector<TokenOutcome>& outcomes, const Shard& shard,
                            const std::filesystem::path& shard_path);

struct Reports {
  nlohmann::json manifest;
  nlohmann::json quality;
};
// REQUIRES: `summaries` in rank order, one per rank.
Reports make_reports(const std::vector<nlohmann::json>& summaries, std::string_view source_kind,
                     const CollectJobOptions& options, std::size_t listed);

// 64-bit FNV-1a of a text (fingerprints and run keys; not cryptographic).
std::uint64_t fnv1a(std::string_view text);

}  // namespace snipe::collector
