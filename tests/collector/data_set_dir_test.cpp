// The commit protocol of a data set directory: the manifest rename is the only switch,
// so a killed run never leaves a mix of old and new shards behind the manifest.

#include "collector/data_set_dir.h"

#include <gtest/gtest.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "tests/support/temp_dir.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json manifest_of(int generation, int ranks) {
  json shards = json::array();
  for (int r = 0; r < ranks; ++r) shards.push_back({{"file", DataSetDir::shard_entry(generation, r)}});
  return {{"generation", generation}, {"shards", shards}};
}

class DataSetDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Published: generation 1, two ranks.
    write_file_atomically(data_.shard_path(1, 0), "old 0");
    write_file_atomically(data_.shard_path(1, 1), "old 1");
    data_.commit(1, manifest_of(1, 2), json{{"run", 1}}, env_);
  }
  std::vector<std::string> published_contents() const {
    std::vector<std::string> contents;
    for (const fs::path& shard : data_.published_shards()) contents.push_back(read_file(shard));
    return contents;
  }

  testing::TempDir dir_;
  PosixEnv env_;
  DataSetDir data_{dir_.path()};
};

TEST_F(DataSetDirTest, ANewRunWritesTheNextGeneration) {
  EXPECT_EQ(data_.next_generation(), 2);
  EXPECT_EQ(DataSetDir::shard_entry(2, 3), "g000002/shard-00003.h5");
  testing::TempDir empty;
  EXPECT_EQ(DataSetDir(empty.path()).next_generation(), 1);
}

TEST_F(DataSetDirTest, AnUncommittedRunIsInvisibleAndTidiedAway) {
  write_file_atomically(data_.shard_path(2, 0), "new 0");  // killed before the commit
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"old 0", "old 1"}));
  data_.tidy(env_);
  EXPECT_FALSE(fs::exists(dir_ / "g000002"));
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"old 0", "old 1"}));
}

TEST_F(DataSetDirTest, ACommitSwitchesTheWholeDataSetAtOnce) {
  write_file_atomically(data_.shard_path(2, 0), "new 0");  // now one rank
  data_.commit(2, manifest_of(2, 1), json{{"run", 2}}, env_);
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"new 0"}));
  EXPECT_EQ(json::parse(read_file(dir_ / "quality.json"))["run"], 2);
  EXPECT_TRUE(fs::exists(dir_ / "g000001")) << "kept one more run for readers of the old manifest";
  write_file_atomically(data_.shard_path(3, 0), "newer 0");
  data_.commit(3, manifest_of(3, 1), json{{"run", 3}}, env_);
  EXPECT_FALSE(fs::exists(dir_ / "g000001"));
  EXPECT_TRUE(fs::exists(dir_ / "g000002"));
}

TEST_F(DataSetDirTest, TempFilesOfKilledWritesAreSwept) {
  write_file_atomically(dir_ / "unrelated.txt", "kept");
  write_file_atomically(dir_ / "manifest.json.tmp-4242", "{half");
  data_.tidy(env_);
  EXPECT_FALSE(fs::exists(dir_ / "manifest.json.tmp-4242"));
  EXPECT_TRUE(fs::exists(dir_ / "unrelated.txt"));
}

TEST_F(DataSetDirTest, AKillRightAfterTheSwitchIsTidiedByTheNextRun) {
  write_file_atomically(data_.shard_path(2, 0), "new 0");
  write_file_atomically(dir_ / "g000002" / "quality.json", json{{"run", 2}}.dump());
  write_file_atomically(dir_ / "manifest.json", manifest_of(2, 1).dump());  // then killed
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"new 0"}));
  data_.tidy(env_);
  EXPECT_EQ(json::parse(read_file(dir_ / "quality.json"))["run"], 2);
  data_.tidy(env_);  // idempotent
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"new 0"}));
}

TEST_F(DataSetDirTest, AnUnreadableManifestIsADataErrorNamingIt) {
  write_file_atomically(dir_ / "manifest.json", "{not json");
  try {
    data_.published_manifest();
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snipe::collector
