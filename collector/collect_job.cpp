#include "collector/collect_job.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "collector/checkpoint.h"
#include "shared/core/atomic_file.h"
#include "shared/core/progress.h"
#include "shared/features/indicators.h"
#include "shared/features/model_features.h"
#include "shared/store/shard.h"

namespace snipe::collector {

std::string shard_file_name(int rank) { return fmt::format("shard-{:05}.h5", rank); }

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string hex(std::uint64_t value) { return fmt::format("{:016x}", value); }

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

// Rank 0 asks the source once; every rank gets the same list (a discovery endpoint
// asked by each rank could answer differently between calls).
std::vector<std::string> agreed_token_list(Source& source, const MpiContext& mpi) {
  std::string listed;
  if (mpi.rank() == 0) listed = json(source.list_tokens()).dump();
  return json::parse(mpi.broadcast(listed)).get<std::vector<std::string>>();
}

// ---- incremental: the series stored by the previous run ---------------------------------

json read_manifest(const fs::path& out_dir) {
  const fs::path path = out_dir / "manifest.json";
  if (!fs::exists(path)) {
    throw ConfigError(fmt::format("--incremental needs an existing data set, but {} does not "
                                  "exist; run snipe collect without --incremental first",
                                  path.string()));
  }
  try {
    return json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw DataError(fmt::format("{}: not valid JSON ({}); collect again without --incremental",
                                path.string(), e.what()));
  }
}

// The stored series of `wanted` tokens, from every shard of the previous run.
std::map<std::string, SeriesRecord> load_previous(const fs::path& out_dir, const json& manifest,
                                                  const std::vector<std::string>& wanted) {
  std::map<std::string, SeriesRecord> previous;
  for (const auto& shard_info : manifest.at("shards")) {
    Shard shard = read_shard(out_dir / shard_info.at("file").get<std::string>());
    for (SeriesRecord& record : shard.series) {
      if (std::binary_search(wanted.begin(), wanted.end(), record.token)) {
        previous.emplace(record.token, std::move(record));
      }
    }
  }
  return previous;
}

// ---- one token -----------------------------------------------------------------------------

// Context is static: the facts seen when the token was first collected stay (age at the
// first bar, say, must not change with each nightly fetch); a later fetch only fills in
// facts that were unknown.
TokenContext merge_context(const TokenContext& fresh, const TokenContext* stored) {
  if (stored == nullptr) return fresh;
  TokenContext merged = *stored;
  for (std::size_t i = 0; i < kContextFieldCount; ++i) {
    if (!merged.fields[i]) merged.fields[i] = fresh.fields[i];
  }
  return merged;
}

TokenOutcome failed(std::uint32_t index, const std::string& token, const SourceError& e) {
  TokenOutcome outcome{.index = index, .token = token, .kind = TokenOutcome::Kind::kFailed};
  outcome.failure_reason = e.reason();
  outcome.message = e.what();
  return outcome;
}

TokenOutcome accepted(std::uint32_t index, SeriesRecord record) {
  TokenOutcome outcome{.index = index, .token = record.token, .kind = TokenOutcome::Kind::kAccepted};
  outcome.record = std::move(record);
  return outcome;
}

TokenOutcome collect_token(std::uint32_t index, const std::string& token, Source& source,
                           const SeriesRecord* previous, const CollectJobOptions& options) {
  const std::int64_t after = previous ? previous->candles.back().timestamp : 0;
  FetchedSeries fetched;
  try {
    fetched = source.fetch(token, after);
  } catch (const SourceError& e) {
    if (previous == nullptr) return failed(index, token, e);
    spdlog::warn("{}: {}; keeping the stored series", token, e.what());
    return accepted(index, *previous);  // nothing already stored is lost
  }
  if (previous && fetched.candles.empty()) return accepted(index, *previous);

  CandleSeries candles = previous ? previous->candles : CandleSeries{};
  candles.insert(candles.end(), fetched.candles.begin(), fetched.candles.end());
  const ValidationReport report = validate_series(candles, options.validation);
  if (!report.accepted) {
    TokenOutcome outcome{.index = index, .token = token, .kind = TokenOutcome::Kind::kRejected};
    std::copy(report.counts.begin(), report.counts.end(), outcome.reasons.begin());
    outcome.message = report.summary();
    return outcome;
  }
  SeriesRecord record = make_series_record(
      token, std::move(candles), merge_context(fetched.context, previous ? &previous->context : nullptr));
  if (fetched.truth) {
    // Simulated: the truth covers the fetched bars; earlier bars keep the stored truth.
    const std::size_t stored = previous ? previous->regime.size() : 0;
    if (previous) std::copy(previous->regime.begin(), previous->regime.end(), record.regime.begin());
    std::copy(fetched.truth->regime.begin(), fetched.truth->regime.end(),
              record.regime.begin() + static_cast<std::ptrdiff_t>(stored));
    record.rug_timestamp = fetched.truth->rug_timestamp;
  }
  record.liquidity_removed = fetched.liquidity_removed || (previous && previous->liquidity_removed);
  return accepted(index, std::move(record));
}

// ---- the shard and the reports ---------------------------------------------------------

Shard build_shard(int rank, std::vector<TokenOutcome>& outcomes, const LabelOptions& labels) {
  Shard shard{.rank = rank, .labels = labels};
  for (TokenOutcome& outcome : outcomes) {
    if (outcome.kind != TokenOutcome::Kind::kAccepted) continue;
    append_examples(outcome.record, static_cast<std::uint32_t>(shard.series.size()), labels,
                    shard.examples);
    shard.series.push_back(std::move(outcome.record));
  }
  return shard;
}

json token_verdict(const TokenOutcome& o) {
  static constexpr const char* kKinds[] = {"accepted", "rejected", "failed"};
  json verdict = {{"token", o.token}, {"verdict", kKinds[static_cast<int>(o.kind)]}};
  if (o.kind == TokenOutcome::Kind::kFailed) verdict["reason"] = o.failure_reason;
  if (!o.message.empty()) verdict["message"] = o.message;
  return verdict;
}

// Everything rank 0 needs to know about this rank's part of the job.
json rank_summary(int rank, const std::vector<TokenOutcome>& outcomes, const Shard& shard,
                  const fs::path& shard_path) {
  json s = {{"rank", rank}, {"file", shard_path.filename().string()}};
  std::map<std::string, std::int64_t> rejections, failures;
  json verdicts = json::array();
  std::int64_t counts[3] = {0, 0, 0};
  for (const TokenOutcome& o : outcomes) {
    ++counts[static_cast<int>(o.kind)];
    verdicts.push_back(token_verdict(o));
    if (o.kind == TokenOutcome::Kind::kFailed) ++failures[o.failure_reason];
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
  s["content_hash"] = hex(content_hash(shard));
  s["bytes"] = fs::file_size(shard_path);
  s["rejections"] = rejections;
  s["failures"] = failures;
  s["verdicts"] = verdicts;
  return s;
}

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

void write_reports(const std::vector<json>& summaries, const Source& source,
                   const CollectJobOptions& options, std::size_t listed) {
  const auto examples = total<std::int64_t>(summaries, "examples");
  const auto rate = [&](const char* key) -> json {
    return examples == 0 ? json(nullptr)
                         : json(static_cast<double>(total<std::int64_t>(summaries, key)) /
                                static_cast<double>(examples));
  };
  json shards = json::array();
  std::string hashes;
  for (const json& s : summaries) {
    shards.push_back({{"file", s["file"]}, {"rank", s["rank"]}, {"series", s["series"]},
                      {"rows", s["rows"]}, {"examples", s["examples"]},
                      {"content_hash", s["content_hash"]}, {"bytes", s["bytes"]}});
    hashes += s["content_hash"].get<std::string>();
  }
  const json manifest = {
      {"schema_version", kManifestSchemaVersion},
      {"shard_schema_version", kShardSchemaVersion},
      {"source", std::string(source.kind())},
      {"config_fingerprint", hex(fnv1a(options.config_fingerprint))},
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
      {"content_hash", hex(fnv1a(hashes))},
  };
  json verdicts = json::array();
  for (const json& s : summaries) {
    for (const json& v : s["verdicts"]) {
      if (v["verdict"] != "accepted") verdicts.push_back(v);
    }
  }
  const json quality = {{"source", std::string(source.kind())},
                        {"tokens", manifest["tokens"]},
                        {"rejections_by_reason", merged_counts(summaries, "rejections")},
                        {"failures_by_reason", merged_counts(summaries, "failures")},
                        {"not_accepted", verdicts}};
  write_file_atomically(options.out_dir / "quality.json", quality.dump(2) + "\n");
  write_file_atomically(options.out_dir / "manifest.json", manifest.dump(2) + "\n");
}

// Shards of an earlier run with more ranks are not in the new manifest: remove them so
// the directory holds exactly one data set.
void remove_stale_shards(const fs::path& out_dir, int size) {
  for (int rank = size;; ++rank) {
    const fs::path stale = out_dir / shard_file_name(rank);
    if (!fs::exists(stale)) break;
    fs::remove(stale);
  }
}

std::string run_key(const CollectJobOptions& options, const MpiContext& mpi,
                    const std::string& previous_manifest) {
  return fmt::format("{}|incremental={}|rank={}/{}|previous={}", hex(fnv1a(options.config_fingerprint)),
                     options.incremental, mpi.rank(), mpi.size(), hex(fnv1a(previous_manifest)));
}

}  // namespace

CollectTotals run_collect(Source& source, const MpiContext& mpi, const CollectJobOptions& options) {
  fs::create_directories(options.out_dir);
  const std::vector<std::string> tokens = agreed_token_list(source, mpi);
  std::vector<std::uint32_t> mine;
  for (std::size_t i = static_cast<std::size_t>(mpi.rank()); i < tokens.size(); i += static_cast<std::size_t>(mpi.size())) {
    mine.push_back(static_cast<std::uint32_t>(i));
  }

  std::map<std::string, SeriesRecord> previous;
  std::string previous_manifest;
  if (options.incremental) {
    const json manifest = read_manifest(options.out_dir);
    previous_manifest = manifest.dump();
    std::vector<std::string> wanted;
    for (const std::uint32_t i : mine) wanted.push_back(tokens[i]);
    std::sort(wanted.begin(), wanted.end());
    previous = load_previous(options.out_dir, manifest, wanted);
    mpi.barrier();  // every rank has read the old shards before any rank replaces its own
  }

  const CheckpointStore checkpoints(
      options.out_dir / ".work" / fmt::format("rank-{:05}-of-{:05}", mpi.rank(), mpi.size()),
      run_key(options, mpi, previous_manifest));
  spdlog::info("collecting {} of {} tokens from {} ({}); checkpoints resume a killed run",
               mine.size(), tokens.size(), source.kind(), options.incremental ? "incremental" : "full");

  std::vector<TokenOutcome> outcomes;
  Progress progress(fmt::format("rank {} tokens", mpi.rank()), mine.size(), mpi.rank() == 0);
  std::size_t fetched_now = 0;
  for (const std::uint32_t i : mine) {
    std::optional<TokenOutcome> outcome = checkpoints.load(i, tokens[i]);
    if (!outcome) {
      const auto it = previous.find(tokens[i]);
      outcome = collect_token(i, tokens[i], source, it == previous.end() ? nullptr : &it->second, options);
      checkpoints.save(*outcome);
      if (options.kill_after_tokens > 0 && ++fetched_now == options.kill_after_tokens) {
        ::kill(::getpid(), SIGKILL);  // fault injection: die like a node losing power
      }
    }
    outcomes.push_back(std::move(*outcome));
    progress.advance();
  }
  progress.finish();

  Shard shard = build_shard(mpi.rank(), outcomes, options.labels);
  const fs::path shard_path = options.out_dir / shard_file_name(mpi.rank());
  write_shard(shard_path, shard);
  const std::vector<std::string> summaries = mpi.gather(rank_summary(mpi.rank(), outcomes, shard, shard_path).dump());
  if (mpi.rank() == 0) {
    std::vector<json> parsed;
    for (const std::string& s : summaries) parsed.push_back(json::parse(s));
    write_reports(parsed, source, options, tokens.size());
    remove_stale_shards(options.out_dir, mpi.size());
  }
  mpi.barrier();  // the manifest is durable: checkpoints are no longer needed
  checkpoints.remove_all();
  std::error_code not_empty_yet;  // the last rank to get here removes the parent
  fs::remove(options.out_dir / ".work", not_empty_yet);

  CollectTotals totals;
  totals.tokens = static_cast<std::int64_t>(tokens.size());
  std::int64_t local[3] = {0, 0, 0};
  for (const TokenOutcome& o : outcomes) ++local[static_cast<int>(o.kind)];
  totals.accepted = mpi.sum(local[0]);
  totals.rejected = mpi.sum(local[1]);
  totals.failed = mpi.sum(local[2]);
  totals.examples = mpi.sum(static_cast<std::int64_t>(shard.examples.size()));
  return totals;
}

}  // namespace snipe::collector
