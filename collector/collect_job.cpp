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
#include "collector/collect_reports.h"
#include "collector/data_set_dir.h"
#include "shared/core/atomic_file.h"
#include "shared/core/progress.h"
#include "shared/features/indicators.h"
#include "shared/features/model_features.h"
#include "shared/store/shard.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string hex(std::uint64_t value) { return fmt::format("{:016x}", value); }

// Rank 0 asks the source once; every rank gets the same list (a discovery endpoint
// asked by each rank could answer differently between calls).
std::vector<std::string> agreed_token_list(Source& source, const MpiContext& mpi) {
  std::string listed;
  if (mpi.rank() == 0) listed = json(source.list_tokens()).dump();
  return json::parse(mpi.broadcast(listed)).get<std::vector<std::string>>();
}

// ---- incremental: the series stored by the previous run ---------------------------------

json require_manifest(const DataSetDir& data) {
  std::optional<json> manifest = data.published_manifest();
  if (!manifest) {
    throw ConfigError(fmt::format("--incremental needs an existing data set, but {} has no "
                                  "manifest.json; run snipe collect without --incremental first",
                                  data.root().string()));
  }
  return std::move(*manifest);
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

std::string run_key(const CollectJobOptions& options, const MpiContext& mpi,
                    const std::string& previous_manifest) {
  return fmt::format("{}|incremental={}|rank={}/{}|previous={}", hex(fnv1a(options.config_fingerprint)),
                     options.incremental, mpi.rank(), mpi.size(), hex(fnv1a(previous_manifest)));
}


// This rank's token indices: token i belongs to rank i mod size.
std::vector<std::uint32_t> my_tokens(std::size_t count, const MpiContext& mpi) {
  std::vector<std::uint32_t> mine;
  for (std::size_t i = static_cast<std::size_t>(mpi.rank()); i < count;
       i += static_cast<std::size_t>(mpi.size())) {
    mine.push_back(static_cast<std::uint32_t>(i));
  }
  return mine;
}

// Fetches (or loads from checkpoints) every token of this rank, in index order.
std::vector<TokenOutcome> collect_tokens(const std::vector<std::string>& tokens,
                                         const std::vector<std::uint32_t>& mine, Source& source,
                                         const std::map<std::string, SeriesRecord>& previous,
                                         const CheckpointStore& checkpoints,
                                         const CollectJobOptions& options, bool show_progress) {
  std::vector<TokenOutcome> outcomes;
  Progress progress("tokens (rank 0)", mine.size(), show_progress);
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
  return outcomes;
}

CollectTotals job_totals(std::size_t listed, const std::vector<TokenOutcome>& outcomes,
                         const Shard& shard, const MpiContext& mpi) {
  std::int64_t local[3] = {0, 0, 0};
  for (const TokenOutcome& o : outcomes) ++local[static_cast<int>(o.kind)];
  return {.tokens = static_cast<std::int64_t>(listed),
          .accepted = mpi.sum(local[0]),
          .rejected = mpi.sum(local[1]),
          .failed = mpi.sum(local[2]),
          .examples = mpi.sum(static_cast<std::int64_t>(shard.examples.size()))};
}

}  // namespace

CollectTotals run_collect(Source& source, const MpiContext& mpi, const CollectJobOptions& options) {
  const DataSetDir data(options.out_dir);
  if (mpi.rank() == 0) {
    fs::create_directories(options.out_dir);
    data.publish();  // finish a run that committed but was killed while publishing
  }
  mpi.barrier();
  const std::vector<std::string> tokens = agreed_token_list(source, mpi);
  const std::vector<std::uint32_t> mine = my_tokens(tokens.size(), mpi);

  std::map<std::string, SeriesRecord> previous;
  std::string previous_manifest;
  if (options.incremental) {
    const json manifest = require_manifest(data);
    previous_manifest = manifest.dump();
    std::vector<std::string> wanted;
    for (const std::uint32_t i : mine) wanted.push_back(tokens[i]);
    std::sort(wanted.begin(), wanted.end());
    previous = load_previous(options.out_dir, manifest, wanted);
  }

  const CheckpointStore checkpoints(data.checkpoint_dir(mpi.rank(), mpi.size()),
                                    run_key(options, mpi, previous_manifest));
  spdlog::info("collecting {} of {} tokens from {} ({}); checkpoints resume a killed run",
               mine.size(), tokens.size(), source.kind(), options.incremental ? "incremental" : "full");
  std::vector<TokenOutcome> outcomes =
      collect_tokens(tokens, mine, source, previous, checkpoints, options, mpi.rank() == 0);

  Shard shard = build_shard(mpi.rank(), outcomes, options.labels);
  const fs::path staged = data.staged_shard(mpi.rank());
  write_shard(staged, shard);
  const std::vector<std::string> summaries = mpi.gather(rank_summary(mpi.rank(), outcomes, shard, staged).dump());
  if (mpi.rank() == 0) {
    std::vector<json> parsed;
    for (const std::string& s : summaries) parsed.push_back(json::parse(s));
    const Reports reports = make_reports(parsed, source.kind(), options, tokens.size());
    data.stage_reports(reports.manifest, reports.quality);  // the commit point
    data.publish();
  }
  mpi.barrier();  // published: checkpoints are no longer needed
  checkpoints.remove_all();
  const CollectTotals totals = job_totals(tokens.size(), outcomes, shard, mpi);  // collective
  if (mpi.rank() == 0) data.remove_work_area();
  return totals;
}

}  // namespace snipe::collector
