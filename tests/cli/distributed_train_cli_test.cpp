// `mpirun -np N snipe train` as users run it when things go wrong: a rank killed mid-epoch
// (the job must end with the rank named, and a rerun resume to the uninterrupted result),
// a rank that hangs (the stall watchdog must name it and end the job), a rank that
// throws, and a resume on another number of ranks. The faults are injected by snipe_faulty
// (the same command line in a FaultInjectionEnv armed by SNIPE_TEST_* variables).

#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace snipe {
namespace {

#if SNIPE_WITH_TORCH

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using testing::mpirun;
using testing::run_command;

const std::string kSnipe = SNIPE_BINARY;
const std::string kFaultySnipe = SNIPE_FAULTY_BINARY;

// configs/tiny.toml with a mid-epoch checkpoint every 2 steps, no dropout (so the ranks'
// dropout streams do not matter) and `extra` appended (e.g. a [distributed] section).
fs::path config_of(const testing::TempDir& dir, const std::string& extra = "") {
  std::string text = read_file("configs/tiny.toml");
  const auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("checkpoint_every_steps = 0", "checkpoint_every_steps = 2");
  replace("[model]\n", "[model]\nattention_dropout = 0.0\nhead_dropout = 0.0\n");
  write_file_atomically(dir / "tiny.toml", text + extra);
  return dir / "tiny.toml";
}

class DistributedTrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_mpirun()) GTEST_SKIP() << "mpirun not installed";
    ASSERT_EQ(run_command(kSnipe + " collect --config configs/tiny.toml --out " + (dir_ / "data").string(), dir_.path()),
              0);
  }

  // `mpirun -np ranks snipe train` into RUN_DIR `run`; with faults `env` ("A=1 B=2 "), the
  // faulty snipe.
  std::string train(int ranks, const fs::path& config, const std::string& run, const std::string& env = "",
                    const std::string& extra = "") const {
    const std::string& binary = env.empty() ? kSnipe : kFaultySnipe;
    return env + "timeout 120 " + mpirun(ranks) + binary + " train --config " + config.string() + " --data " +
           (dir_ / "data").string() + " --out " + (dir_ / run).string() + " " + extra;
  }

  testing::TempDir dir_;
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

TEST_F(DistributedTrainCli, AKilledRankEndsTheJobAndARerunResumesToTheUninterruptedResult) {
  const fs::path config = config_of(dir_);
  std::string err;
  ASSERT_EQ(run_command(train(2, config, "whole"), dir_.path(), &err), 0) << err;

  const auto start = Clock::now();
  const int status = run_command(train(2, config, "killed", "SNIPE_TEST_KILL_AFTER_STEPS=3 SNIPE_TEST_KILL_RANK=1 "),
                                 dir_.path(), &err);
  EXPECT_NE(status, 0);
  EXPECT_NE(status, 124) << "the job hung instead of failing";
  EXPECT_LT(seconds_since(start), 60.0) << "rank 0 must not wait long for the dead rank";
  EXPECT_NE(err.find("rank 1"), std::string::npos) << "the dead rank is named: " << err;
  EXPECT_FALSE(fs::exists(dir_ / "killed/export")) << "a killed run exports nothing";

  ASSERT_EQ(run_command(train(2, config, "killed", "", "--resume --log-level info"), dir_.path(), &err), 0) << err;
  EXPECT_NE(err.find("resuming from"), std::string::npos) << err;
  EXPECT_EQ(read_file(dir_ / "whole/export/model.pt"), read_file(dir_ / "killed/export/model.pt"))
      << "two ranks resumed from rank 0's checkpoint end with exactly the uninterrupted run's parameters";
  EXPECT_EQ(json::parse(read_file(dir_ / "whole/report.json")), json::parse(read_file(dir_ / "killed/report.json")));
}

TEST_F(DistributedTrainCli, AStalledRankIsNamedAndTheJobEndsWithinTheStallTimeout) {
  const fs::path config = config_of(dir_, "\n[distributed]\nstall_timeout_s = 2\n");
  const auto start = Clock::now();
  std::string err;
  const int status =
      run_command(train(2, config, "run", "SNIPE_TEST_STALL_AT_STEP=3 SNIPE_TEST_STALL_RANK=1 "), dir_.path(), &err);
  EXPECT_NE(status, 0);
  EXPECT_NE(status, 124) << "the job hung instead of failing: " << err;
  EXPECT_LT(seconds_since(start), 60.0);
  EXPECT_NE(err.find("stall: rank 0 on"), std::string::npos) << err;
  EXPECT_NE(err.find("rank 1 on"), std::string::npos) << err;
  EXPECT_NE(err.find("has not arrived: busy outside collectives"), std::string::npos) << err;
  EXPECT_NE(err.find("stall_timeout_s"), std::string::npos) << "the hint names the setting: " << err;
}

TEST_F(DistributedTrainCli, AnExceptionOnOneRankEndsTheJobNamingTheRank) {
  std::string err;
  const int status = run_command(train(2, config_of(dir_), "run", "SNIPE_TEST_THROW_ON_RANK=1 "), dir_.path(), &err);
  EXPECT_NE(status, 0);
  EXPECT_NE(status, 124) << "the job hung instead of failing";
  EXPECT_NE(err.find("rank 1 on"), std::string::npos) << err;
  EXPECT_NE(err.find("injected test exception"), std::string::npos) << err;
}

TEST_F(DistributedTrainCli, ARunCheckpointedOnTwoRanksResumesOnOneAndSaysItReshards) {
  const fs::path config = config_of(dir_);
  std::string err;
  ASSERT_EQ(run_command(train(2, config, "whole"), dir_.path(), &err), 0) << err;
  EXPECT_NE(run_command(train(2, config, "moved", "SNIPE_TEST_KILL_AFTER_STEPS=3 "), dir_.path(), &err), 0);
  ASSERT_EQ(run_command(train(1, config, "moved", "", "--resume --log-level info"), dir_.path(), &err), 0) << err;
  EXPECT_NE(err.find("written by 2 ranks and this run has 1: the sampler re-shards"), std::string::npos) << err;

  const json whole = json::parse(read_file(dir_ / "whole/report.json"));
  const json moved = json::parse(read_file(dir_ / "moved/report.json"));
  EXPECT_EQ(moved["ranks"], 1);
  EXPECT_EQ(moved["epochs_completed"], whole["epochs_completed"]);
  EXPECT_EQ(moved["steps"], whole["steps"]) << "the global batch, so the steps per epoch, stay the same";
  EXPECT_TRUE(fs::exists(dir_ / "moved/export/model.pt"));
}

TEST_F(DistributedTrainCli, AGlobalBatchTheRanksCannotShareIsAClearError) {
  std::string err;
  EXPECT_NE(run_command(train(3, config_of(dir_), "run"), dir_.path(), &err), 0);
  EXPECT_NE(err.find("train.batch_size = 32 is the global batch"), std::string::npos) << err;
  EXPECT_NE(err.find("HINT: use 30 or 33"), std::string::npos) << err;
}

#endif

}  // namespace
}  // namespace snipe
