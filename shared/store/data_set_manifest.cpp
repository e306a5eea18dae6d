#include "shared/store/data_set_manifest.h"

#include <fmt/format.h>

#include "shared/core/errors.h"
#include "shared/core/json_fields.h"
#include "shared/core/strings.h"
#include "shared/features/context.h"
#include "shared/features/indicators.h"
#include "shared/features/labels_json.h"
#include "shared/features/model_features.h"

namespace snipe {
namespace {

using nlohmann::json;

constexpr const char* kCollectAgainHint = "HINT: the manifest is damaged; run `snipe collect` again";

json to_json(const FeatureLists& f) {
  return {{"candle_features", f.candle_features}, {"indicator_features", f.indicator_features},
          {"indicators", f.indicators}, {"context_fields", f.context_fields}};
}

FeatureLists features_from_json(const JsonFields& f) {
  return {.candle_features = f.strings("candle_features"), .indicator_features = f.strings("indicator_features"),
          .indicators = f.strings("indicators"), .context_fields = f.strings("context_fields")};
}

}  // namespace

json to_json(const ShardEntry& s) {
  return {{"file", s.file},       {"rank", s.rank},         {"series", s.series},
          {"rows", s.rows},       {"examples", s.examples}, {"content_hash", s.content_hash},
          {"bytes", s.bytes}};
}

ShardEntry shard_entry_from_json(const JsonFields& f) {
  const std::int64_t bytes = f.integer("bytes");
  if (bytes < 0) f.refuse("bytes", fmt::format("is {}; it must be >= 0", bytes));
  return {.file = f.string("file"), .rank = f.integer("rank"), .series = f.integer("series"),
          .rows = f.integer("rows"), .examples = f.integer("examples"),
          .content_hash = f.string("content_hash"), .bytes = static_cast<std::uint64_t>(bytes)};
}

FeatureLists this_build_feature_lists() {
  return {.candle_features = to_strings(kCandleFeatureNames), .indicator_features = to_strings(kIndicatorFeatureNames),
          .indicators = to_strings(kIndicatorNames), .context_fields = to_strings(kContextFieldNames)};
}

json to_json(const TokenCounts& t) {
  return {{"listed", t.listed}, {"accepted", t.accepted}, {"rejected", t.rejected}, {"failed", t.failed}};
}

TokenCounts token_counts_from_json(const JsonFields& f) {
  return {.listed = f.integer("listed"), .accepted = f.integer("accepted"), .rejected = f.integer("rejected"),
          .failed = f.integer("failed")};
}

json to_json(const DataSetManifest& m) {
  json shards = json::array();
  for (const ShardEntry& s : m.shards) shards.push_back(to_json(s));
  return {
      {"schema_version", m.schema_version},
      {"shard_schema_version", m.shard_schema_version},
      {"generation", m.generation},
      {"source", m.source},
      {"config_fingerprint", m.config_fingerprint},
      {"base_fingerprint", m.base_fingerprint},
      {"feature_version", m.feature_version},
      {"quality", m.quality},
      {"ranks", m.ranks},
      {"shards", shards},
      {"tokens", to_json(m.tokens)},
      {"examples", m.examples},
      {"rows", m.rows},
      {"label_balance", {{"profitable", or_null(m.profitable_rate)}, {"rug", or_null(m.rug_rate)}}},
      {"labels", to_json(m.labels)},
      {"features", to_json(m.features)},
      {"time_range", {{"first", or_null(m.first_timestamp)}, {"last", or_null(m.last_timestamp)}}},
      {"content_hash", m.content_hash},
  };
}

DataSetManifest data_set_manifest_from_json(const json& doc, const std::string& source) {
  const JsonFields f(doc, source, kCollectAgainHint);
  DataSetManifest m;
  m.schema_version = f.integer("schema_version");
  if (m.schema_version != kManifestSchemaVersion) {
    throw DataError(fmt::format("{}: manifest schema version {} but this snipe reads version {}. HINT: re-run "
                                "`snipe collect` with this build, or use the snipe version that collected it",
                                source, m.schema_version, kManifestSchemaVersion));
  }
  m.shard_schema_version = f.integer("shard_schema_version");
  m.generation = f.integer("generation");
  m.source = f.string("source");
  m.config_fingerprint = f.string("config_fingerprint");
  m.base_fingerprint = f.string("base_fingerprint");
  m.feature_version = f.integer("feature_version");
  m.quality = f.string("quality");
  m.ranks = f.integer("ranks");
  for (const JsonFields& shard : f.objects("shards")) m.shards.push_back(shard_entry_from_json(shard));
  m.tokens = token_counts_from_json(f.object("tokens"));
  m.examples = f.integer("examples");
  m.rows = f.integer("rows");
  const JsonFields balance = f.object("label_balance");
  m.profitable_rate = balance.number_or_null("profitable");
  m.rug_rate = balance.number_or_null("rug");
  m.labels = labels_from_json(f.object("labels"));
  m.features = features_from_json(f.object("features"));
  const JsonFields range = f.object("time_range");
  m.first_timestamp = range.integer_or_null("first");
  m.last_timestamp = range.integer_or_null("last");
  m.content_hash = f.string("content_hash");
  return m;
}

}  // namespace snipe
