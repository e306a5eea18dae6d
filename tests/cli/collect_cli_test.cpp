// `snipe collect` as users run it: under mpirun with 1 and 2 ranks, killed mid-run and
// restarted, and with the CSV source overriding the config from the command line. The
// crashes are injected by snipe_faulty (the same command line in a FaultInjectionEnv armed
// by SNIPE_TEST_* variables); the reruns are the real snipe.

#include <cstdlib>
#include <filesystem>
#include <set>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "shared/store/shard.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace snipe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using testing::have_mpirun;
using testing::mpirun;
using testing::run_command;

const std::string kSnipe = SNIPE_BINARY;
const std::string kFaultySnipe = SNIPE_FAULTY_BINARY;

std::string collect(const fs::path& out, const std::string& binary = kSnipe) {
  return binary + " collect --config configs/tiny.toml --out " + out.string();
}

// Every example of a data set as (token, end row, labels), whatever shard holds it.
using ExampleKey = std::tuple<std::string, std::uint32_t, bool, float, bool>;
std::set<ExampleKey> examples_of(const fs::path& data_dir) {
  std::set<ExampleKey> all;
  const json manifest = json::parse(read_file(data_dir / "manifest.json"));
  for (const json& info : manifest["shards"]) {
    const Shard shard = read_shard(data_dir / info["file"].get<std::string>());
    for (const Example& e : shard.examples) {
      all.emplace(shard.series[e.series].token, e.end_row, e.profitable, e.max_profit, e.rug);
    }
  }
  return all;
}

std::string content_hash_of(const fs::path& data_dir) {
  return json::parse(read_file(data_dir / "manifest.json"))["content_hash"];
}


TEST(CollectCli, OnlyTheTestBinaryObeysTheFaultVariables) {
  testing::TempDir dir;
  const std::string faults = "SNIPE_TEST_KILL_AFTER_TOKENS=1 SNIPE_TEST_THROW_ON_RANK=0 ";
  std::string err;
  EXPECT_NE(run_command(faults + collect(dir / "faulty", kFaultySnipe), dir.path(), &err), 0);
  EXPECT_FALSE(fs::exists(dir / "faulty" / "manifest.json"));
  ASSERT_EQ(run_command(faults + collect(dir / "real"), dir.path(), &err), 0)
      << "production snipe reads no test variable: " << err;
  EXPECT_TRUE(fs::exists(dir / "real" / "manifest.json"));
}

TEST(CollectCli, OneRankAndTwoRanksStoreTheSameExamples) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  std::string err;
  ASSERT_EQ(run_command(collect(dir / "one"), dir.path(), &err), 0) << err;
  ASSERT_EQ(run_command(mpirun(2) + collect(dir / "two"), dir.path(), &err), 0) << err;
  const auto one = examples_of(dir / "one");
  EXPECT_GT(one.size(), 100u);
  EXPECT_EQ(one, examples_of(dir / "two"));
  EXPECT_EQ(json::parse(read_file(dir / "two" / "manifest.json"))["shards"].size(), 2u);
  EXPECT_EQ(content_hash_of(dir / "one"), content_hash_of(dir / "two"))
      << "the data set hash does not depend on the number of ranks";
}

TEST(CollectCli, AKilledRankResumesToTheSameContentHash) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  std::string err;
  ASSERT_EQ(run_command(mpirun(2) + collect(dir / "clean"), dir.path(), &err), 0) << err;

  // Rank 1 dies by SIGKILL after checkpointing 2 of its tokens: mpirun must fail the job.
  const std::string kill = "SNIPE_TEST_KILL_AFTER_TOKENS=2 SNIPE_TEST_KILL_RANK=1 ";
  EXPECT_NE(run_command(kill + mpirun(2) + collect(dir / "killed", kFaultySnipe), dir.path(), &err), 0);
  EXPECT_FALSE(fs::exists(dir / "killed" / "manifest.json"));

  ASSERT_EQ(run_command(mpirun(2) + collect(dir / "killed"), dir.path(), &err), 0) << err;
  EXPECT_EQ(content_hash_of(dir / "killed"), content_hash_of(dir / "clean"));
  EXPECT_EQ(examples_of(dir / "killed"), examples_of(dir / "clean"));
}

// A tiny config whose simulated market ends at `end` (Unix s).
fs::path market_until(const fs::path& dir, std::int64_t end) {
  const fs::path path = dir / ("until-" + std::to_string(end) + ".toml");
  std::string text = read_file("configs/tiny.toml");
  const std::string marker = "[synthetic]\n";
  text.insert(text.find(marker) + marker.size(), "end_timestamp = " + std::to_string(end) + "\n");
  write_file_atomically(path, text);
  return path;
}

TEST(CollectCli, AKilledIncrementalRunResumesToTheFullRunsData) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  const std::int64_t day1 = 1767225600 + 10 * 3600, day2 = 1767225600 + 30 * 3600;
  const auto collect_until = [&](std::int64_t end, const fs::path& out, const std::string& extra,
                                 const std::string& binary = kSnipe) {
    return binary + " collect --config " + market_until(dir.path(), end).string() + " --out " + out.string() +
           " " + extra;
  };
  std::string err;
  ASSERT_EQ(run_command(mpirun(2) + collect_until(day2, dir / "full", ""), dir.path(), &err), 0) << err;
  ASSERT_EQ(run_command(mpirun(2) + collect_until(day1, dir / "nightly", ""), dir.path(), &err), 0) << err;
  const std::string kill = "SNIPE_TEST_KILL_AFTER_TOKENS=2 SNIPE_TEST_KILL_RANK=0 ";
  EXPECT_NE(run_command(kill + mpirun(2) + collect_until(day2, dir / "nightly", "--incremental", kFaultySnipe),
                        dir.path(), &err),
            0);
  ASSERT_EQ(run_command(mpirun(2) + collect_until(day2, dir / "nightly", "--incremental"), dir.path(), &err), 0) << err;
  EXPECT_EQ(content_hash_of(dir / "nightly"), content_hash_of(dir / "full"));
}

// A private copy of the CSV sample, to edit.
fs::path copy_of_sample(const testing::TempDir& dir) {
  const fs::path copy = dir / "dumps";
  fs::create_directories(copy);
  for (const auto& entry : fs::directory_iterator("data/sample")) fs::copy(entry.path(), copy / entry.path().filename());
  return copy;
}

std::string collect_csv(const fs::path& csv, const fs::path& out, const std::string& extra = "",
                        const std::string& binary = kSnipe) {
  return binary + " collect --csv-dir " + csv.string() + " --out " + out.string() + " " + extra;
}

TEST(CollectCli, CheckpointsOfAnotherRankCountOrOtherDataAreNeverReused) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  const fs::path csv = copy_of_sample(dir);
  std::string err;
  const std::string kill = "SNIPE_TEST_KILL_AFTER_TOKENS=1 SNIPE_TEST_KILL_RANK=1 ";
  EXPECT_NE(run_command(kill + mpirun(2) + collect_csv(csv, dir / "data", "", kFaultySnipe), dir.path(), &err), 0);
  // The data changes, a 1-rank run publishes it, then a 2-rank run starts afresh.
  std::string rugged = read_file(csv / "rugged.csv");
  rugged.resize(rugged.rfind('\n', rugged.size() - 2) + 1);  // drop the last bar
  write_file_atomically(csv / "rugged.csv", rugged);
  ASSERT_EQ(run_command(collect_csv(csv, dir / "data"), dir.path(), &err), 0) << err;
  ASSERT_EQ(run_command(mpirun(2) + collect_csv(csv, dir / "data"), dir.path(), &err), 0) << err;
  ASSERT_EQ(run_command(collect_csv(csv, dir / "fresh"), dir.path(), &err), 0) << err;
  EXPECT_EQ(content_hash_of(dir / "data"), content_hash_of(dir / "fresh"));
  EXPECT_FALSE(fs::exists(dir / "data" / ".work")) << "the work area is gone after a run";
}

TEST(CollectCli, IncrementalKeepsTokensTheSourceNoLongerLists) {
  testing::TempDir dir;
  const fs::path csv = copy_of_sample(dir);
  std::string err;
  ASSERT_EQ(run_command(collect_csv(csv, dir / "data"), dir.path(), &err), 0) << err;
  const auto before = examples_of(dir / "data");
  fs::remove(csv / "rugged.csv");  // an old launch drops out of the provider's listing
  ASSERT_EQ(run_command(collect_csv(csv, dir / "data", "--incremental"), dir.path(), &err), 0) << err;
  EXPECT_EQ(examples_of(dir / "data"), before) << "nothing already collected is lost";
  // ... and the refresh that could not be made is reported, not hidden.
  const json quality = json::parse(read_file(dir / "data" / "quality.json"));
  EXPECT_EQ(quality["failures_by_reason"]["unreadable_csv_stored_series_kept"], 1) << quality.dump(2);
  EXPECT_EQ(quality["refreshes_failed"][0]["token"], "rugged");
}

TEST(CollectCli, AnyExceptionOnOneRankEndsTheJobInsteadOfHangingIt) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  // Rank 1 throws a std::exception that is not a snipe::Error while rank 0 goes on into
  // the job's collectives; before the fix this hung until the timeout.
  std::string err;
  const int status = run_command(
      "SNIPE_TEST_THROW_ON_RANK=1 timeout 60 " + mpirun(2) + collect(dir / "data", kFaultySnipe), dir.path(), &err);
  EXPECT_NE(status, 0);
  EXPECT_NE(status, 124) << "the job hung instead of failing";
  EXPECT_NE(err.find("rank 1 on"), std::string::npos) << err;
}

// Occurrences of `needle` in `text`.
std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(CollectCli, ABadConfigOnEveryRankIsReportedOnceWithoutAnAbort) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  write_file_atomically(dir / "bad.toml", "[labels]\nstop_loss = 2.0\n");
  std::string err;
  const int status = run_command("timeout 60 " + mpirun(2) + std::string(SNIPE_BINARY) + " collect --config " +
                                     (dir / "bad.toml").string() + " --out " + (dir / "x").string(),
                                 dir.path(), &err);
  EXPECT_EQ(status, 1) << err;
  EXPECT_EQ(count_of(err, "labels.stop_loss = 2 must be in (0, 1)"), 1u) << err;
  EXPECT_EQ(err.find("MPI_ABORT"), std::string::npos) << "a clean exit, not an abort:\n" << err;
  EXPECT_FALSE(fs::exists(dir / "x" / "manifest.json"));
}

TEST(CollectCli, CsvDirOnTheCommandLineOverridesTheConfig) {
  testing::TempDir dir;
  std::string err;
  ASSERT_EQ(run_command(kSnipe + " collect --csv-dir data/sample --out " + (dir / "csv").string(),
                dir.path(), &err),
            0)
      << err;
  const json quality = json::parse(read_file(dir / "csv" / "quality.json"));
  EXPECT_EQ(quality["source"], "csv");
  EXPECT_EQ(quality["tokens"]["rejected"], 1);
  EXPECT_EQ(quality["not_accepted"][0]["token"], "broken_feed");
}

TEST(CollectCli, AFailingRankEndsTheWholeJobNamingTheRank) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  std::string err;
  const int status = run_command("timeout 60 " + mpirun(2) + kSnipe +
                             " collect --csv-dir /nonexistent/dumps --out " + (dir / "x").string(),
                         dir.path(), &err);
  EXPECT_NE(status, 0);
  EXPECT_NE(status, 124) << "the job hung instead of failing";
  EXPECT_NE(err.find("/nonexistent/dumps is not a directory"), std::string::npos) << err;
  EXPECT_NE(err.find("rank "), std::string::npos) << err;
}

}  // namespace
}  // namespace snipe
