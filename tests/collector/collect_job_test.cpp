// run_collect in one process (an MPI job of size 1): shards, reports, failures, resume
// after a crash (some injected through a FaultInjectionEnv), incremental runs. Multi-rank
// runs are tested through mpirun in tests/cli/collect_cli_test.cpp.

#include "collector/checkpoint.h"
#include "collector/collect_job.h"
#include "collector/data_set_dir.h"

#include <unistd.h>

#include <fstream>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "collector/simulator/market_simulator.h"
#include "collector/sources/csv_source.h"
#include "collector/sources/synthetic_source.h"
#include "shared/comm/communicator.h"
#include "shared/core/atomic_file.h"
#include "shared/store/shard.h"
#include "tests/support/fault_injection_env.h"
#include "tests/support/temp_dir.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

simulator::SimulatorOptions small_market(std::int64_t end_timestamp = 0) {
  return {.seed = 11, .tokens = 10, .min_candles = 160, .max_candles = 260, .end_timestamp = end_timestamp};
}

CollectJobOptions job(const fs::path& out, bool incremental = false) {
  return {.out_dir = out,
          .incremental = incremental,
          .validation = {.min_candles = 100},
          .labels = {.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5},
          .config_fingerprint = "test"};
}

json read_json(const fs::path& path) { return json::parse(read_file(path)); }

// run_collect as a job of one process in the real Env.
CollectTotals collect_alone(Source& source, const CollectJobOptions& options) {
  PosixEnv env;
  return run_collect(source, *make_solo_communicator(), options, env);
}

// Wraps a source: counts fetches, and can fail tokens or "crash" after N fetches.
class ScriptedSource final : public Source {
 public:
  explicit ScriptedSource(Source& inner) : inner_(inner) {}
  std::string_view kind() const override { return inner_.kind(); }
  std::vector<std::string> list_tokens() override { return inner_.list_tokens(); }
  FetchedSeries fetch(const std::string& token, std::int64_t after) override {
    if (crash_after >= 0 && fetches == crash_after) throw std::runtime_error("power cut");
    ++fetches;
    fetched.insert(token);
    if (failing.count(token)) throw SourceError("http_401", "key rejected for " + token);
    return inner_.fetch(token, after);
  }
  std::string snapshot() const override { return inner_.snapshot(); }
  void restore(const std::string& snapshot) override { inner_.restore(snapshot); }

  int fetches = 0;
  int crash_after = -1;
  std::set<std::string> failing, fetched;

 private:
  Source& inner_;
};

TEST(CollectJob, WritesOneShardAManifestAndAQualityReport) {
  testing::TempDir dir;
  SyntheticSource source(small_market());
  const CollectTotals totals = collect_alone(source, job(dir.path()));
  EXPECT_EQ(totals.tokens, 10);
  EXPECT_EQ(totals.accepted + totals.rejected + totals.failed, 10);

  const Shard shard = read_shard(DataSetDir(dir.path()).published_shards().at(0));
  EXPECT_EQ(static_cast<std::int64_t>(shard.series.size()), totals.accepted);
  EXPECT_EQ(static_cast<std::int64_t>(shard.examples.size()), totals.examples);
  const json manifest = read_json(dir / "manifest.json");
  EXPECT_EQ(manifest["examples"], totals.examples);
  EXPECT_EQ(manifest["source"], "synthetic");
  EXPECT_EQ(manifest["shards"][0]["file"], "g000001/shard-00000.h5");
  EXPECT_EQ(manifest["shards"][0]["content_hash"], fmt::format("{:016x}", content_hash(shard)));
  std::int64_t profitable = 0;
  for (const Example& e : shard.examples) profitable += e.profitable;
  EXPECT_DOUBLE_EQ(manifest["label_balance"]["profitable"].get<double>(),
                   static_cast<double>(profitable) / static_cast<double>(shard.examples.size()));
  EXPECT_EQ(manifest["features"]["candle_features"].size(), 5u);
  EXPECT_TRUE(fs::exists(dir / "quality.json"));
  EXPECT_FALSE(fs::exists(dir / ".work")) << "checkpoints are removed once the manifest is durable";

  // Each stored series is the simulator's token, truth included.
  for (const SeriesRecord& record : shard.series) {
    const auto index = simulator::token_index(record.token);
    ASSERT_TRUE(index.has_value());
    const simulator::SimulatedToken token = simulator::simulate_token(small_market(), *index);
    EXPECT_EQ(record.candles, token.candles);
    EXPECT_EQ(record.regime, token.regime);
    EXPECT_EQ(record.rug_timestamp, token.rug_timestamp);
  }
}

TEST(CollectJob, RejectionsAndFailuresAreReportedByReasonNeverDropped) {
  testing::TempDir dir;
  // The CSV sample holds a broken feed (a duplicated bar and a 35-minute hole).
  CsvSource csv("data/sample");
  ScriptedSource source(csv);
  source.failing = {"slow_bleed"};
  CollectJobOptions options = job(dir.path());
  options.validation.min_candles = 200;
  const CollectTotals totals = collect_alone(source, options);
  EXPECT_EQ(totals.accepted, 2);
  EXPECT_EQ(totals.rejected, 1);
  EXPECT_EQ(totals.failed, 1);

  const json quality = read_json(dir / "quality.json");
  EXPECT_EQ(quality["rejections_by_reason"]["duplicate_timestamp"], 1);
  EXPECT_EQ(quality["rejections_by_reason"]["gap"], 1);
  EXPECT_EQ(quality["failures_by_reason"]["http_401"], 1);
  std::set<std::string> reported;
  for (const json& v : quality["not_accepted"]) reported.insert(v["token"].get<std::string>());
  EXPECT_EQ(reported, (std::set<std::string>{"broken_feed", "slow_bleed"}));
}

TEST(CollectJob, ACrashedRunResumesFromCheckpointsToTheSameDataSet) {
  testing::TempDir clean, crashed;
  SyntheticSource synthetic(small_market());
  collect_alone(synthetic, job(clean.path()));

  ScriptedSource first(synthetic);
  first.crash_after = 4;
  EXPECT_THROW(collect_alone(first, job(crashed.path())), std::runtime_error);
  EXPECT_FALSE(fs::exists(crashed / "manifest.json"));

  ScriptedSource second(synthetic);
  collect_alone(second, job(crashed.path()));
  EXPECT_EQ(second.fetches, 6) << "the 4 checkpointed tokens are not fetched again";
  EXPECT_EQ(read_json(crashed / "manifest.json")["content_hash"],
            read_json(clean / "manifest.json")["content_hash"]);
}

TEST(CollectJob, ChangedSettingsDiscardOldCheckpoints) {
  testing::TempDir dir;
  SyntheticSource synthetic(small_market());
  ScriptedSource first(synthetic);
  first.crash_after = 4;
  EXPECT_THROW(collect_alone(first, job(dir.path())), std::runtime_error);
  ScriptedSource second(synthetic);
  CollectJobOptions changed = job(dir.path());
  changed.config_fingerprint = "other labels";
  collect_alone(second, changed);
  EXPECT_EQ(second.fetches, 10) << "checkpoints of other settings must not be mixed in";
}

TEST(CollectJob, CorruptCheckpointIsFetchedAgain) {
  testing::TempDir dir;
  SyntheticSource synthetic(small_market());
  ScriptedSource first(synthetic);
  first.crash_after = 3;
  EXPECT_THROW(collect_alone(first, job(dir.path())), std::runtime_error);
  const fs::path checkpoint = dir / ".work/rank-00000-of-00001/token-00000001.bin";
  ASSERT_TRUE(fs::exists(checkpoint));
  fs::resize_file(checkpoint, fs::file_size(checkpoint) / 3);
  ScriptedSource second(synthetic);
  collect_alone(second, job(dir.path()));
  EXPECT_EQ(second.fetches, 8);
  EXPECT_TRUE(second.fetched.count("sim-000001"));
}

TEST(CollectJob, IncrementalRunEqualsAFullRunAndIsIdempotent) {
  const std::int64_t day1 = 1767225600 + 20 * 3600;  // the market as of hour 20
  const std::int64_t day2 = 1767225600 + 40 * 3600;  // and as of hour 40
  testing::TempDir full, nightly;
  SyntheticSource later(small_market(day2));
  collect_alone(later, job(full.path()));

  SyntheticSource earlier(small_market(day1));
  collect_alone(earlier, job(nightly.path()));
  ScriptedSource refresh(later);
  collect_alone(refresh, job(nightly.path(), /*incremental=*/true));
  EXPECT_EQ(read_json(nightly / "manifest.json")["content_hash"],
            read_json(full / "manifest.json")["content_hash"]);

  ScriptedSource again(later);
  collect_alone(again, job(nightly.path(), /*incremental=*/true));
  EXPECT_EQ(read_json(nightly / "manifest.json")["content_hash"],
            read_json(full / "manifest.json")["content_hash"])
      << "a second incremental run with nothing new changes nothing";
}

TEST(CollectJob, IncrementalOverADataSetOfOtherSettingsIsRefused) {
  testing::TempDir dir;
  SyntheticSource source(small_market());
  CollectJobOptions first = job(dir.path());
  first.base_fingerprint = "seed 11, horizon 12";
  collect_alone(source, first);
  CollectJobOptions other = job(dir.path(), /*incremental=*/true);
  other.base_fingerprint = "seed 8, horizon 6";
  try {
    collect_alone(source, other);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("other settings"), std::string::npos) << e.what();
  }
}

TEST(CollectJob, ALeftoverOfAKilledCheckpointWipeDoesNotBlockTheNextRun) {
  testing::TempDir dir;
  const fs::path checkpoints = dir / "ckpt";
  { CheckpointStore store(checkpoints, "job A"); }
  fs::path leftover = checkpoints;
  leftover += ".discarded-" + std::to_string(::getpid());  // as a kill mid-wipe leaves it
  fs::create_directories(leftover / "junk");
  EXPECT_NO_THROW(CheckpointStore(checkpoints, "job B"));
  EXPECT_FALSE(fs::exists(leftover));
}

TEST(CollectJob, IncrementalWithoutADataSetSaysWhatToDo) {
  testing::TempDir dir;
  SyntheticSource source(small_market());
  try {
    collect_alone(source, job(dir.path(), /*incremental=*/true));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("without --incremental first"), std::string::npos);
  }
}

// ---- crashes injected through the Env -------------------------------------------------

TEST(CollectJob, ACrashRightAfterATokenCheckpointLosesNothingOfThatToken) {
  testing::TempDir clean, crashed;
  SyntheticSource synthetic(small_market());
  collect_alone(synthetic, job(clean.path()));

  PosixEnv posix;
  testing::FaultInjectionEnv faulty(posix);
  faulty.plan({.point = FaultPoint::kTokenCheckpointed, .count = 4, .action = testing::FaultAction::kThrow});
  EXPECT_THROW(run_collect(synthetic, *make_solo_communicator(), job(crashed.path()), faulty), std::logic_error);
  EXPECT_EQ(faulty.faults_injected(), 1);
  EXPECT_FALSE(fs::exists(crashed / "manifest.json"));

  ScriptedSource rerun(synthetic);
  collect_alone(rerun, job(crashed.path()));
  EXPECT_EQ(rerun.fetches, 6) << "the crash point comes after the 4th checkpoint is durable";
  EXPECT_EQ(read_json(crashed / "manifest.json")["content_hash"], read_json(clean / "manifest.json")["content_hash"]);
}

TEST(CollectJob, ACrashBeforeTheManifestRenameLeavesThePublishedDataSetWhole) {
  const std::int64_t day1 = 1767225600 + 20 * 3600, day2 = 1767225600 + 40 * 3600;
  testing::TempDir full, nightly;
  SyntheticSource earlier(small_market(day1)), later(small_market(day2));
  collect_alone(later, job(full.path()));
  collect_alone(earlier, job(nightly.path()));
  const json before = read_json(nightly / "manifest.json");

  // The incremental run writes its new shards, then dies with manifest.json's new content
  // in the temp file, before the rename that would publish it.
  PosixEnv posix;
  testing::FaultInjectionEnv faulty(posix);
  faulty.cut({.file_name = "manifest.json", .nth = 1, .action = testing::FaultAction::kThrow});
  EXPECT_THROW(run_collect(later, *make_solo_communicator(), job(nightly.path(), /*incremental=*/true), faulty),
               std::logic_error);
  const fs::path torn = atomic_temp_path(nightly / "manifest.json");
  ASSERT_TRUE(fs::exists(torn)) << "the crash left the unpublished manifest behind";
  EXPECT_EQ(read_json(nightly / "manifest.json"), before) << "readers still see the previous data set";
  for (const fs::path& shard : DataSetDir(nightly.path()).published_shards()) {
    EXPECT_NO_THROW(read_shard(shard)) << shard;
  }

  collect_alone(later, job(nightly.path(), /*incremental=*/true));
  EXPECT_EQ(read_json(nightly / "manifest.json")["content_hash"], read_json(full / "manifest.json")["content_hash"]);
  EXPECT_FALSE(fs::exists(torn)) << "the next run tidies the leftover away";
}

}  // namespace
}  // namespace snipe::collector
