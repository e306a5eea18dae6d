// `snipe train` and `snipe pipeline` as users run them: the main job end to end on two
// ranks, a training process killed mid-epoch (by snipe_faulty, the same command line in a
// fault-injecting Env) and restarted, and the refusals. In a build without LibTorch
// (clang), `snipe train` must say how to get one that trains.

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace snipe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using testing::run_command;

const std::string kSnipe = SNIPE_BINARY;
const std::string kFaultySnipe = SNIPE_FAULTY_BINARY;

std::string collect(const fs::path& data) {
  return kSnipe + " collect --config configs/tiny.toml --out " + data.string();
}

std::string train(const fs::path& config, const fs::path& data, const fs::path& run_dir,
                  const std::string& extra = "", const std::string& binary = kSnipe) {
  return binary + " train --config " + config.string() + " --data " + data.string() + " --out " +
         run_dir.string() + " " + extra;
}

#if SNIPE_WITH_TORCH

// configs/tiny.toml with a mid-epoch checkpoint every 2 steps.
fs::path checkpointing_config(const testing::TempDir& dir) {
  std::string text = read_file("configs/tiny.toml");
  const std::string key = "checkpoint_every_steps = 0";
  text.replace(text.find(key), key.size(), "checkpoint_every_steps = 2");
  write_file_atomically(dir / "tiny.toml", text);
  return dir / "tiny.toml";
}

std::vector<json> metrics_of(const fs::path& run_dir) {
  std::vector<json> records;
  std::istringstream in(read_file(run_dir / "metrics.jsonl"));
  for (std::string line; std::getline(in, line);) {
    json record = json::parse(line);
    record.erase("seconds");  // wall time is the one thing a resumed run may change
    records.push_back(record);
  }
  return records;
}

TEST(TrainCli, ThePipelineCollectsTrainsAndExportsOnTwoRanks) {
  if (!testing::have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  testing::TempDir dir;
  std::string err;
  ASSERT_EQ(run_command(testing::mpirun(2) + kSnipe +
                    " pipeline --config configs/tiny.toml --out " + dir.path().string(),
                dir.path(), &err),
            0)
      << err;
  for (const char* file : {"data/manifest.json", "train/metrics.jsonl", "train/report.json", "train/export/model.pt",
                           "train/export/scalers.json", "train/export/metadata.json"}) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  const json metadata = json::parse(read_file(dir / "train/export/metadata.json"));
  EXPECT_EQ(metadata["window"], 32) << "configs/tiny.toml's train.window";
  EXPECT_EQ(metadata["data"]["content_hash"], json::parse(read_file(dir / "data/manifest.json"))["content_hash"]);
  EXPECT_EQ(metadata["training"]["distributed"]["ranks"], 2) << "both ranks trained";
  EXPECT_EQ(metadata["training"]["distributed"]["batch_per_rank"], 16) << "the global batch of 32 shared by 2";
}

TEST(TrainCli, AKilledTrainingResumesToTheUninterruptedResult) {
  testing::TempDir dir;
  const fs::path config = checkpointing_config(dir);
  ASSERT_EQ(run_command(collect(dir / "data"), dir.path()), 0);
  std::string err;
  ASSERT_EQ(run_command(train(config, dir / "data", dir / "whole"), dir.path(), &err), 0) << err;

  EXPECT_NE(run_command("SNIPE_TEST_KILL_AFTER_STEPS=3 " + train(config, dir / "data", dir / "killed", "", kFaultySnipe),
                        dir.path()),
            0)
      << "the fault injection must kill the run after step 3";
  EXPECT_FALSE(fs::exists(dir / "killed/export")) << "a killed run exports nothing";
  ASSERT_EQ(run_command(train(config, dir / "data", dir / "killed", "--resume"), dir.path(), &err), 0) << err;

  EXPECT_EQ(read_file(dir / "whole/export/model.pt"), read_file(dir / "killed/export/model.pt"))
      << "the resumed run must end with exactly the same parameters";
  EXPECT_EQ(metrics_of(dir / "whole"), metrics_of(dir / "killed"));
  EXPECT_EQ(json::parse(read_file(dir / "whole/report.json")), json::parse(read_file(dir / "killed/report.json")));
}

TEST(TrainCli, ResumeWithoutACheckpointAndADataDirWithoutDataAreClearErrors) {
  testing::TempDir dir;
  std::string err;
  EXPECT_EQ(run_command(train("configs/tiny.toml", dir / "nothing", dir / "run"), dir.path(), &err), 1);
  EXPECT_NE(err.find("manifest.json"), std::string::npos) << err;
  ASSERT_EQ(run_command(collect(dir / "data"), dir.path()), 0);
  EXPECT_EQ(run_command(train("configs/tiny.toml", dir / "data", dir / "run", "--resume"), dir.path(), &err), 1);
  EXPECT_NE(err.find("no checkpoint to resume from"), std::string::npos) << err;
}

#else

TEST(TrainCli, ABuildWithoutLibTorchSaysHowToGetOneThatTrains) {
  testing::TempDir dir;
  ASSERT_EQ(run_command(collect(dir / "data"), dir.path()), 0);
  std::string err;
  EXPECT_EQ(run_command(train("configs/tiny.toml", dir / "data", dir / "run"), dir.path(), &err), 1);
  EXPECT_NE(err.find("without LibTorch"), std::string::npos) << err;
}

#endif

}  // namespace
}  // namespace snipe
