#include "collector/collect_reports.h"

#include <limits>
#include <map>

#include <fmt/format.h>

#include "collector/data_set_dir.h"
#include "shared/core/hash.h"
#include "shared/features/indicators.h"
#include "shared/features/model_features.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json token_verdict(const TokenOutcome& o) {
  static constexpr const char* kKinds[] = {"accepted", "rejected", "failed"};
  json verdict = {{"token", o.token}, {"verdict", kKinds[static_cast<int>(o.kind)]}};
  if (!o.failure_reason.empty()) verdict["reason"] = o.failure_reason;
  if (!o.message.empty()) verdict["message"] = o.message;
  return verdict;
}

json series_hashes(const Shard& shard) {
  json hashes = json::array();
  const std::vector<std::uint64_t> digests = series_content_hashes(shard);
  for (std::size_t s = 0; s < digests.size(); ++s) hashes.push_back({shard.series[s].token, hex64(digests[s])});
  return hashes;
}

// The data set's hash: the series hashes of every shard, sorted by token, hashed. The
// same data spread over any number of ranks gives the same hash.
std::string data_set_hash(const std::vector<json>& summaries) {
  std::vector<std::pair<std::string, std::string>> all;
  for (const json& s : summaries) {
    for (const json& pair : s.at("series_hashes")) all.emplace_back(pair[0], pair[1]);
  }
  std::sort(all.begin(), all.end());
  std::string joined;
  for (const auto& [token, hash] : all) joined += token + ':' + hash + ';';
  return hex64(fnv1a(joined));
}

}  // namespace

json rank_summary(int rank, int generation, const std::vector<TokenOutcome>& outcomes,
                  const Shard& shard, const fs::path& shard_path) {
  json s = {{"rank", rank}, {"file", DataSetDir::shard_entry(generation, rank)}};
  std::map<std::string, std::int64_t> rejections, failures;
  json verdicts = json::array();
  json refreshes_failed = json::array();
  std::int64_t counts[3] = {0, 0, 0};
  for (const TokenOutcome& o : outcomes) {
    ++counts[static_cast<int>(o.kind)];
    verdicts.push_back(token_verdict(o));
    if (o.kind == TokenOutcome::Kind::kFailed) ++failures[o.failure_reason];
    if (o.kind == TokenOutcome::Kind::kAccepted && !o.failure_reason.empty()) {
      ++failures[o.failure_reason + "_stored_series_kept"];
      refreshes_failed.push_back(token_verdict(o));
    }
    for (std::size_t r = 0; r < kReasonCount; ++r) {
      if (o.reasons[r] > 0) ++rejections[std::string(reason_name(static_cast<Reason>(r)))];
    }
  }
  std::int64_t rows = 0, profitable = 0, rugs = 0;
  std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
  for (const SeriesRecord& r : shard.series) {
    rows += static_cast<std::int64_t>(r.candles.size());
    first = std::min(first, r.candles.front().timestamp);
    last = std::max(last, r.candles.back().timestamp);
  }
  for (const Example& e : shard.examples) {
    profitable += e.profitable;
    rugs += e.rug;
  }
  s["accepted"] = counts[0];
  s["rejected"] = counts[1];
  s["failed"] = counts[2];
  s["series"] = shard.series.size();
  s["rows"] = rows;
  s["examples"] = shard.examples.size();
  s["profitable"] = profitable;
  s["rug"] = rugs;
  s["first_timestamp"] = shard.series.empty() ? json(nullptr) : json(first);
  s["last_timestamp"] = shard.series.empty() ? json(nullptr) : json(last);
  s["content_hash"] = hex64(content_hash(shard));
  s["series_hashes"] = series_hashes(shard);
  s["bytes"] = fs::file_size(shard_path);
  s["rejections"] = rejections;
  s["failures"] = failures;
  s["verdicts"] = verdicts;
  s["refreshes_failed"] = refreshes_failed;
  return s;
}

namespace {

json feature_names() {
  const auto list = [](auto names) { return std::vector<std::string>(names.begin(), names.end()); };
  return {{"candle_features", list(kCandleFeatureNames)},
          {"indicator_features", list(kIndicatorFeatureNames)},
          {"indicators", list(kIndicatorNames)},
          {"context_fields", list(kContextFieldNames)}};
}

template <class T>
T total(const std::vector<json>& summaries, const char* key) {
  T sum{};
  for (const json& s : summaries) sum += s.at(key).get<T>();
  return sum;
}

json time_range(const std::vector<json>& summaries) {
  json range = {{"first", nullptr}, {"last", nullptr}};
  for (const json& s : summaries) {
    if (s["first_timestamp"].is_null()) continue;
    if (range["first"].is_null() || s["first_timestamp"] < range["first"]) range["first"] = s["first_timestamp"];
    if (range["last"].is_null() || s["last_timestamp"] > range["last"]) range["last"] = s["last_timestamp"];
  }
  return range;
}

json merged_counts(const std::vector<json>& summaries, const char* key) {
  std::map<std::string, std::int64_t> merged;
  for (const json& s : summaries) {
    for (const auto& [reason, count] : s.at(key).items()) merged[reason] += count.get<std::int64_t>();
  }
  return merged;
}

}  // namespace

Reports make_reports(const std::vector<json>& summaries, std::string_view source_kind,
                     const CollectJobOptions& options, std::size_t listed, int generation) {
  const auto examples = total<std::int64_t>(summaries, "examples");
  const auto rate = [&](const char* key) -> json {
    return examples == 0 ? json(nullptr)
                         : json(static_cast<double>(total<std::int64_t>(summaries, key)) /
                                static_cast<double>(examples));
  };
  json shards = json::array();
  for (const json& s : summaries) {
    shards.push_back({{"file", s["file"]}, {"rank", s["rank"]}, {"series", s["series"]},
                      {"rows", s["rows"]}, {"examples", s["examples"]},
                      {"content_hash", s["content_hash"]}, {"bytes", s["bytes"]}});
  }
  json manifest = {
      {"schema_version", kManifestSchemaVersion},
      {"shard_schema_version", kShardSchemaVersion},
      {"generation", generation},
      {"source", std::string(source_kind)},
      {"config_fingerprint", hex64(fnv1a(options.config_fingerprint))},
      {"base_fingerprint", hex64(fnv1a(options.base_fingerprint))},
      {"feature_version", kFeatureVersion},
      {"quality", DataSetDir::quality_entry(generation)},
      {"ranks", summaries.size()},
      {"shards", shards},
      {"tokens", {{"listed", listed}, {"accepted", total<std::int64_t>(summaries, "accepted")},
                  {"rejected", total<std::int64_t>(summaries, "rejected")},
                  {"failed", total<std::int64_t>(summaries, "failed")}}},
      {"examples", examples},
      {"rows", total<std::int64_t>(summaries, "rows")},
      {"label_balance", {{"profitable", rate("profitable")}, {"rug", rate("rug")}}},
      {"labels", {{"horizon", options.labels.horizon}, {"take_profit", options.labels.take_profit},
                  {"stop_loss", options.labels.stop_loss}, {"rug_drop", options.labels.rug_drop}}},
      {"features", feature_names()},
      {"time_range", time_range(summaries)},
      {"content_hash", data_set_hash(summaries)},
  };
  json verdicts = json::array();
  for (const json& s : summaries) {
    for (const json& v : s["verdicts"]) {
      if (v["verdict"] != "accepted") verdicts.push_back(v);
    }
  }
  json refreshes_failed = json::array();
  for (const json& s : summaries) {
    for (const json& v : s["refreshes_failed"]) refreshes_failed.push_back(v);
  }
  json quality = {{"source", std::string(source_kind)},
                  {"generation", generation},
                  {"tokens", manifest["tokens"]},
                  {"rejections_by_reason", merged_counts(summaries, "rejections")},
                  {"failures_by_reason", merged_counts(summaries, "failures")},
                  {"not_accepted", verdicts},
                  {"refreshes_failed", refreshes_failed}};
  return {std::move(manifest), std::move(quality)};
}


}  // namespace snipe::collector
