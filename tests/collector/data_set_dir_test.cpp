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

DataSetManifest manifest_of(int generation, int ranks) {
  DataSetManifest manifest{.generation = generation, .ranks = ranks};
  for (int r = 0; r < ranks; ++r) manifest.shards.push_back({.file = DataSetDir::shard_entry(generation, r), .rank = r});
  return manifest;
}

// The quality report of run `generation`.
QualityReport quality_of(int generation) { return {.source = "test", .generation = generation}; }

class DataSetDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Published: generation 1, two ranks.
    write_file_atomically(data_.shard_path(1, 0), "old 0");
    write_file_atomically(data_.shard_path(1, 1), "old 1");
    data_.commit(1, manifest_of(1, 2), quality_of(1), env_);
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
  data_.commit(2, manifest_of(2, 1), quality_of(2), env_);
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"new 0"}));
  EXPECT_EQ(json::parse(read_file(dir_ / "quality.json"))["generation"], 2);
  EXPECT_TRUE(fs::exists(dir_ / "g000001")) << "kept one more run for readers of the old manifest";
  write_file_atomically(data_.shard_path(3, 0), "newer 0");
  data_.commit(3, manifest_of(3, 1), quality_of(3), env_);
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
  write_file_atomically(dir_ / "g000002" / "quality.json", to_json(quality_of(2)).dump());
  write_file_atomically(dir_ / "manifest.json", to_json(manifest_of(2, 1)).dump());  // then killed
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"new 0"}));
  data_.tidy(env_);
  EXPECT_EQ(json::parse(read_file(dir_ / "quality.json"))["generation"], 2);
  data_.tidy(env_);  // idempotent
  EXPECT_EQ(published_contents(), (std::vector<std::string>{"new 0"}));
}

TEST_F(DataSetDirTest, ThePublishedManifestReadsBackAsCommitted) {
  DataSetManifest manifest = manifest_of(2, 1);
  manifest.tokens = {.listed = 5, .accepted = 3, .rejected = 1, .failed = 1};
  manifest.profitable_rate = 0.25;
  manifest.first_timestamp = 1'700'000'000;
  manifest.labels.horizon = 7;
  manifest.features = this_build_feature_lists();
  write_file_atomically(data_.shard_path(2, 0), "new 0");
  data_.commit(2, manifest, quality_of(2), env_);
  const DataSetManifest read = data_.published_manifest().value();
  EXPECT_EQ(to_json(read), to_json(manifest));
  EXPECT_EQ(read.tokens.failed, 1);
  EXPECT_EQ(read.profitable_rate, 0.25);
  EXPECT_FALSE(read.rug_rate.has_value()) << "null reads back as none";
  EXPECT_EQ(read.last_timestamp, std::nullopt);
  EXPECT_EQ(read.labels.horizon, 7u);
  EXPECT_EQ(read.shards.at(0).file, "g000002/shard-00000.h5");
}

TEST_F(DataSetDirTest, AManifestWithAMissingOrMistypedFieldIsRefusedNamingIt) {
  json manifest = to_json(manifest_of(1, 2));
  manifest["tokens"].erase("accepted");
  write_file_atomically(dir_ / "manifest.json", manifest.dump());
  const auto refusal = [&] {
    try {
      data_.published_manifest();
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  std::string message = refusal();
  EXPECT_NE(message.find((dir_ / "manifest.json").string()), std::string::npos) << message;
  EXPECT_NE(message.find("field /tokens/accepted is missing"), std::string::npos) << message;
  manifest = to_json(manifest_of(1, 2));
  manifest["shards"][1]["file"] = 3;
  write_file_atomically(dir_ / "manifest.json", manifest.dump());
  message = refusal();
  EXPECT_NE(message.find("field /shards/1/file must be a string, is 3"), std::string::npos) << message;
  manifest = to_json(manifest_of(1, 2));
  manifest["schema_version"] = kManifestSchemaVersion + 1;
  write_file_atomically(dir_ / "manifest.json", manifest.dump());
  message = refusal();
  EXPECT_NE(message.find("manifest schema version 2 but this snipe reads version 1"), std::string::npos) << message;
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
