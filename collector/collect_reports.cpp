#include "collector/collect_reports.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "collector/data_set_dir.h"
#include "shared/core/hash.h"
#include "shared/core/json_fields.h"
#include "shared/features/model_features.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

TokenVerdict token_verdict(const TokenOutcome& o) {
  static constexpr const char* kKinds[] = {"accepted", "rejected", "failed"};
  return {.token = o.token, .verdict = kKinds[static_cast<int>(o.kind)], .reason = o.failure_reason,
          .message = o.message};
}

std::vector<SeriesHash> series_hashes(const Shard& shard) {
  std::vector<SeriesHash> hashes;
  const std::vector<std::uint64_t> digests = series_content_hashes(shard);
  for (std::size_t s = 0; s < digests.size(); ++s) hashes.push_back({shard.series[s].token, hex64(digests[s])});
  return hashes;
}

// Counts and verdicts of the rank's tokens.
void add_outcomes(const std::vector<TokenOutcome>& outcomes, RankSummary& s) {
  std::int64_t* counts[] = {&s.accepted, &s.rejected, &s.failed};
  for (const TokenOutcome& o : outcomes) {
    ++*counts[static_cast<int>(o.kind)];
    s.verdicts.push_back(token_verdict(o));
    if (o.kind == TokenOutcome::Kind::kFailed) ++s.failures[o.failure_reason];
    if (o.kind == TokenOutcome::Kind::kAccepted && !o.failure_reason.empty()) {
      ++s.failures[o.failure_reason + "_stored_series_kept"];
      s.refreshes_failed.push_back(token_verdict(o));
    }
    for (std::size_t r = 0; r < kReasonCount; ++r) {
      if (o.reasons[r] > 0) ++s.rejections[std::string(reason_name(static_cast<Reason>(r)))];
    }
  }
}

// Rows, labels and time range of the shard.
void add_shard_facts(const Shard& shard, RankSummary& s) {
  for (const SeriesRecord& r : shard.series) {
    s.shard.rows += static_cast<std::int64_t>(r.candles.size());
    s.first_timestamp = std::min(s.first_timestamp.value_or(std::numeric_limits<std::int64_t>::max()),
                                 r.candles.front().timestamp);
    s.last_timestamp = std::max(s.last_timestamp.value_or(std::numeric_limits<std::int64_t>::min()),
                                r.candles.back().timestamp);
  }
  for (const Example& e : shard.examples) {
    s.profitable += e.profitable;
    s.rug += e.rug;
  }
}

}  // namespace

RankSummary rank_summary(int rank, int generation, const std::vector<TokenOutcome>& outcomes,
                         const Shard& shard, const fs::path& shard_path) {
  RankSummary s;
  s.shard = {.file = DataSetDir::shard_entry(generation, rank),
             .rank = rank,
             .series = static_cast<std::int64_t>(shard.series.size()),
             .examples = static_cast<std::int64_t>(shard.examples.size()),
             .content_hash = hex64(content_hash(shard)),
             .bytes = fs::file_size(shard_path)};
  add_outcomes(outcomes, s);
  add_shard_facts(shard, s);
  s.series_hashes = series_hashes(shard);
  return s;
}

// ---- the summary as ranks exchange it ----------------------------------------------------

json to_json(const RankSummary& s) {
  json hashes = json::array();
  for (const SeriesHash& h : s.series_hashes) hashes.push_back({h.token, h.hash});
  json out = to_json(s.shard);  // the shard's fields, as the manifest lists them
  out.update(json{{"accepted", s.accepted},
                  {"rejected", s.rejected},
                  {"failed", s.failed},
                  {"profitable", s.profitable},
                  {"rug", s.rug},
                  {"first_timestamp", or_null(s.first_timestamp)},
                  {"last_timestamp", or_null(s.last_timestamp)},
                  {"series_hashes", hashes},
                  {"rejections", s.rejections},
                  {"failures", s.failures},
                  {"verdicts", to_json(s.verdicts)},
                  {"refreshes_failed", to_json(s.refreshes_failed)}});
  return out;
}

namespace {

std::vector<SeriesHash> series_hashes_from_json(const JsonFields& f) {
  std::vector<SeriesHash> out;
  const json& pairs = f.value("series_hashes");
  if (!pairs.is_array()) f.refuse("series_hashes", "must be an array of [token, hash] pairs");
  for (const json& pair : pairs) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      f.refuse(fmt::format("series_hashes/{}", out.size()), "must be a [token, hash] pair, is " + pair.dump());
    }
    out.push_back({pair[0].get<std::string>(), pair[1].get<std::string>()});
  }
  return out;
}

}  // namespace

RankSummary rank_summary_from_json(const json& doc, const std::string& source) {
  const JsonFields f(doc, source, "HINT: every rank must run the same snipe build");
  return {.shard = shard_entry_from_json(f),
          .accepted = f.integer("accepted"),
          .rejected = f.integer("rejected"),
          .failed = f.integer("failed"),
          .profitable = f.integer("profitable"),
          .rug = f.integer("rug"),
          .first_timestamp = f.integer_or_null("first_timestamp"),
          .last_timestamp = f.integer_or_null("last_timestamp"),
          .series_hashes = series_hashes_from_json(f),
          .rejections = counts_from_json(f, "rejections"),
          .failures = counts_from_json(f, "failures"),
          .verdicts = verdicts_from_json(f, "verdicts"),
          .refreshes_failed = verdicts_from_json(f, "refreshes_failed")};
}

// ---- rank 0: the reports -----------------------------------------------------------------

namespace {

// The data set's hash: the series hashes of every shard, sorted by token, hashed. The
// same data spread over any number of ranks gives the same hash.
std::string data_set_hash(const std::vector<RankSummary>& summaries) {
  std::vector<std::pair<std::string, std::string>> all;
  for (const RankSummary& s : summaries) {
    for (const SeriesHash& h : s.series_hashes) all.emplace_back(h.token, h.hash);
  }
  std::sort(all.begin(), all.end());
  std::string joined;
  for (const auto& [token, hash] : all) joined += token + ':' + hash + ';';
  return hex64(fnv1a(joined));
}

template <class Field>
std::int64_t total(const std::vector<RankSummary>& summaries, Field field) {
  std::int64_t sum = 0;
  for (const RankSummary& s : summaries) sum += field(s);
  return sum;
}

std::optional<double> rate(std::int64_t count, std::int64_t examples) {
  if (examples == 0) return std::nullopt;
  return static_cast<double>(count) / static_cast<double>(examples);
}

// Time range and label balance over every rank.
void add_totals(const std::vector<RankSummary>& summaries, DataSetManifest& m) {
  for (const RankSummary& s : summaries) {
    m.shards.push_back(s.shard);
    if (!s.first_timestamp) continue;
    m.first_timestamp = std::min(m.first_timestamp.value_or(*s.first_timestamp), *s.first_timestamp);
    m.last_timestamp = std::max(m.last_timestamp.value_or(*s.last_timestamp), *s.last_timestamp);
  }
  m.examples = total(summaries, [](const RankSummary& s) { return s.shard.examples; });
  m.rows = total(summaries, [](const RankSummary& s) { return s.shard.rows; });
  m.profitable_rate = rate(total(summaries, [](const RankSummary& s) { return s.profitable; }), m.examples);
  m.rug_rate = rate(total(summaries, [](const RankSummary& s) { return s.rug; }), m.examples);
}

QualityReport quality_report(const std::vector<RankSummary>& summaries, const DataSetManifest& manifest) {
  QualityReport q{.source = manifest.source, .generation = manifest.generation, .tokens = manifest.tokens};
  for (const RankSummary& s : summaries) {
    for (const auto& [reason, count] : s.rejections) q.rejections_by_reason[reason] += count;
    for (const auto& [reason, count] : s.failures) q.failures_by_reason[reason] += count;
    for (const TokenVerdict& v : s.verdicts) {
      if (v.verdict != "accepted") q.not_accepted.push_back(v);
    }
    q.refreshes_failed.insert(q.refreshes_failed.end(), s.refreshes_failed.begin(), s.refreshes_failed.end());
  }
  return q;
}

}  // namespace

Reports make_reports(const std::vector<RankSummary>& summaries, std::string_view source_kind,
                     const CollectJobOptions& options, std::size_t listed, int generation) {
  DataSetManifest m{.schema_version = kManifestSchemaVersion,
                    .shard_schema_version = kShardSchemaVersion,
                    .generation = generation,
                    .source = std::string(source_kind),
                    .config_fingerprint = hex64(fnv1a(options.config_fingerprint)),
                    .base_fingerprint = hex64(fnv1a(options.base_fingerprint)),
                    .feature_version = kFeatureVersion,
                    .quality = DataSetDir::quality_entry(generation),
                    .ranks = static_cast<std::int64_t>(summaries.size())};
  m.tokens = {.listed = static_cast<std::int64_t>(listed),
              .accepted = total(summaries, [](const RankSummary& s) { return s.accepted; }),
              .rejected = total(summaries, [](const RankSummary& s) { return s.rejected; }),
              .failed = total(summaries, [](const RankSummary& s) { return s.failed; })};
  add_totals(summaries, m);
  m.labels = options.labels;
  m.features = this_build_feature_lists();
  m.content_hash = data_set_hash(summaries);
  QualityReport quality = quality_report(summaries, m);
  return {std::move(m), std::move(quality)};
}

}  // namespace snipe::collector
