#include "collector/collect_job.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "collector/checkpoint.h"
#include "collector/collect_reports.h"
#include "collector/data_set_dir.h"
#include "shared/core/atomic_file.h"
#include "shared/core/hash.h"
#include "shared/core/json_fields.h"
#include "shared/core/progress.h"
#include "shared/features/indicators.h"
#include "shared/features/model_features.h"
#include "shared/store/shard.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// ---- incremental: the series stored by the previous run ---------------------------------

// The stored series of `wanted` tokens, from every shard of the published data set, each
// checked against the manifest's checksum before anything is built on it.
std::map<std::string, SeriesRecord> load_previous(const DataSetDir& data, const DataSetManifest& manifest,
                                                  const std::vector<std::string>& wanted) {
  std::map<std::string, SeriesRecord> previous;
  for (const ShardEntry& entry : manifest.shards) {
    const fs::path path = data.root() / entry.file;
    Shard shard = read_shard(path);
    if (hex64(content_hash(shard)) != entry.content_hash) {
      throw DataError(fmt::format("{}: content does not match its checksum in manifest.json (the "
                                  "file was changed or damaged); collect again without --incremental",
                                  path.string()));
    }
    for (SeriesRecord& record : shard.series) {
      if (std::binary_search(wanted.begin(), wanted.end(), record.token)) {
        previous.emplace(record.token, std::move(record));
      }
    }
  }
  return previous;
}

// ---- the plan: which tokens, as the source saw the world -------------------------------

// Every token stored so far (sorted), then the source's new ones in its order: a token
// that left the source's listing (an old launch) keeps its stored series.
std::vector<std::string> with_stored_tokens(const DataSetDir& data, const std::vector<std::string>& listed) {
  std::set<std::string> stored;
  for (const fs::path& path : data.published_shards()) {
    for (std::string& token : read_shard_tokens(path)) stored.insert(std::move(token));
  }
  std::vector<std::string> tokens(stored.begin(), stored.end());
  for (const std::string& token : listed) {
    if (!stored.count(token)) tokens.push_back(token);
  }
  return tokens;
}

// Rank 0: the plan of a killed run with the same job key, or a new one (the source's
// listing and snapshot), saved before any token is fetched.
json load_or_make_plan(Source& source, const DataSetDir& data, const std::string& job_key,
                       bool incremental, Env& env) {
  const fs::path path = data.plan_path();
  if (fs::exists(path)) {
    json plan = json::parse(read_file(path));
    if (plan.value("job_key", "") == job_key) {
      spdlog::info("resuming the plan of an interrupted run ({} tokens)", plan["tokens"].size());
      return plan;
    }
  }
  std::vector<std::string> tokens = source.list_tokens();
  if (incremental) tokens = with_stored_tokens(data, tokens);
  json plan = {{"job_key", job_key}, {"tokens", tokens}, {"snapshot", source.snapshot()}};
  fs::create_directories(path.parent_path());
  env.write_file_atomically(path, plan.dump() + "\n");
  return plan;
}

// Collective: every rank gets rank 0's plan and puts its source in the same state.
std::vector<std::string> agree_on_plan(Source& source, Communicator& comm, const DataSetDir& data,
                                       const std::string& job_key, bool incremental, Env& env) {
  std::string text;
  if (comm.rank() == 0) text = load_or_make_plan(source, data, job_key, incremental, env).dump();
  broadcast_string(comm, text);
  const json plan = json::parse(text);
  source.restore(plan.at("snapshot").get<std::string>());
  return plan.at("tokens").get<std::vector<std::string>>();
}

// What identifies one job: settings, mode, rank count and the data set it starts from.
// Checkpoints and plans of another job are never reused.
std::string make_job_key(const CollectJobOptions& options, int size,
                         const std::optional<DataSetManifest>& published) {
  return fmt::format("{}|incremental={}|ranks={}|published={}", hex64(fnv1a(options.config_fingerprint)),
                     options.incremental, size,
                     published ? fmt::format("{}@{}", published->content_hash, published->generation)
                               : std::string("none"));
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
    TokenOutcome kept = accepted(index, *previous);  // nothing already stored is lost
    kept.failure_reason = e.reason();                // but the failed refresh is reported
    kept.message = fmt::format("{}; the stored series was kept", e.what());
    return kept;
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

// Moves the accepted records out of `outcomes` (their kinds and messages stay, for the
// reports).
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

// This rank's token indices: token i belongs to rank i mod size.
std::vector<std::uint32_t> my_tokens(std::size_t count, Communicator& comm) {
  std::vector<std::uint32_t> mine;
  for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < count;
       i += static_cast<std::size_t>(comm.size())) {
    mine.push_back(static_cast<std::uint32_t>(i));
  }
  return mine;
}

// Fetches (or loads from checkpoints) every token of this rank, in index order.
std::vector<TokenOutcome> collect_tokens(const std::vector<std::string>& tokens,
                                         const std::vector<std::uint32_t>& mine, Source& source,
                                         const std::map<std::string, SeriesRecord>& previous,
                                         const CheckpointStore& checkpoints,
                                         const CollectJobOptions& options, bool show_progress, Env& env) {
  std::vector<TokenOutcome> outcomes;
  Progress progress("tokens (rank 0)", mine.size(), show_progress);
  std::int64_t fetched_now = 0;
  for (const std::uint32_t i : mine) {
    std::optional<TokenOutcome> outcome = checkpoints.load(i, tokens[i]);
    if (!outcome) {
      const auto it = previous.find(tokens[i]);
      outcome = collect_token(i, tokens[i], source, it == previous.end() ? nullptr : &it->second, options);
      checkpoints.save(*outcome);
      env.reached(FaultPoint::kTokenCheckpointed, ++fetched_now);
    }
    outcomes.push_back(std::move(*outcome));
    progress.advance();
  }
  progress.finish();
  return outcomes;
}

CollectTotals job_totals(std::size_t listed, const std::vector<TokenOutcome>& outcomes,
                         const Shard& shard, Communicator& comm) {
  // [accepted, rejected, failed] (indexed by TokenOutcome's kind), then examples
  std::array<std::int64_t, 4> counts = {0, 0, 0, static_cast<std::int64_t>(shard.examples.size())};
  for (const TokenOutcome& o : outcomes) ++counts[static_cast<std::size_t>(o.kind)];
  comm.allreduce(buffer_of(std::span(counts)), ReduceOp::kSum);
  return {.tokens = static_cast<std::int64_t>(listed),
          .accepted = counts[0],
          .rejected = counts[1],
          .failed = counts[2],
          .examples = counts[3]};
}

// Rank 0: the summaries gathered from every rank, [rank].
std::vector<RankSummary> read_summaries(const std::vector<std::string>& texts) {
  std::vector<RankSummary> summaries;
  for (std::size_t r = 0; r < texts.size(); ++r) {
    const std::string from = fmt::format("the summary of rank {}", r);
    const auto doc = parse_json(texts[r], from, "HINT: every rank must run the same snipe build");
    summaries.push_back(rank_summary_from_json(doc, from));
  }
  return summaries;
}

// An incremental run extends a data set of the same source, settings and feature version.
void require_incremental_base(const std::optional<DataSetManifest>& published, const Source& source,
                              const CollectJobOptions& options) {
  const fs::path& out_dir = options.out_dir;
  if (!published) {
    throw ConfigError(fmt::format("--incremental needs an existing data set, but {} has no "
                                  "manifest.json; run snipe collect without --incremental first",
                                  out_dir.string()));
  }
  if (published->source != source.kind()) {
    throw ConfigError(fmt::format("--incremental with source {} over a data set collected from {}; "
                                  "collect into another directory instead",
                                  source.kind(), published->source));
  }
  if (published->base_fingerprint != hex64(fnv1a(options.base_fingerprint))) {
    throw ConfigError(fmt::format("--incremental over a data set collected with other settings or "
                                  "another feature version ({}); appending would mix them: collect "
                                  "into another directory, or run without --incremental",
                                  out_dir.string()));
  }
}

}  // namespace

CollectTotals run_collect(Source& source, Communicator& comm, const CollectJobOptions& options, Env& env) {
  const DataSetDir data(options.out_dir);
  if (comm.rank() == 0) {
    fs::create_directories(options.out_dir);
    data.tidy(env);  // leftovers of a killed run
  }
  comm.barrier();
  const std::optional<DataSetManifest> published = data.published_manifest();
  if (options.incremental) require_incremental_base(published, source, options);
  const std::string job_key = make_job_key(options, comm.size(), published);
  const std::vector<std::string> tokens = agree_on_plan(source, comm, data, job_key, options.incremental, env);
  const std::vector<std::uint32_t> mine = my_tokens(tokens.size(), comm);

  std::map<std::string, SeriesRecord> previous;
  if (options.incremental) {
    std::vector<std::string> wanted;
    for (const std::uint32_t i : mine) wanted.push_back(tokens[i]);
    std::sort(wanted.begin(), wanted.end());
    previous = load_previous(data, *published, wanted);
  }
  const CheckpointStore checkpoints(data.checkpoint_dir(comm.rank(), comm.size()),
                                    fmt::format("{}|rank={}", job_key, comm.rank()));
  spdlog::info("collecting {} of {} tokens from {} ({}); checkpoints resume a killed run",
               mine.size(), tokens.size(), source.kind(), options.incremental ? "incremental" : "full");
  std::vector<TokenOutcome> outcomes =
      collect_tokens(tokens, mine, source, previous, checkpoints, options, comm.rank() == 0, env);

  // Written into a generation no manifest lists yet; the manifest rename publishes it.
  const int generation = DataSetDir::generation_after(published);  // read once, above
  const Shard shard = build_shard(comm.rank(), outcomes, options.labels);
  const fs::path shard_path = data.shard_path(generation, comm.rank());
  write_shard(shard_path, shard);
  const std::vector<std::string> summaries =  // [rank]
      allgather(comm, to_json(rank_summary(comm.rank(), generation, outcomes, shard, shard_path)).dump());
  if (comm.rank() == 0) {
    const Reports reports =
        make_reports(read_summaries(summaries), source.kind(), options, tokens.size(), generation);
    data.commit(generation, reports.manifest, reports.quality, env);
  }
  const CollectTotals totals = job_totals(tokens.size(), outcomes, shard, comm);  // collective
  if (comm.rank() == 0) data.remove_work_area();  // every rank is past its checkpoints
  return totals;
}

}  // namespace snipe::collector
