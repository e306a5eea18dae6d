// The commit protocol of a data set directory: a killed run never leaves a mix of old
// and new shards behind the published manifest.

#include "collector/data_set_dir.h"

#include <gtest/gtest.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "tests/support/temp_dir.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json manifest_of(std::initializer_list<const char*> files, int generation) {
  json shards = json::array();
  for (const char* file : files) shards.push_back({{"file", file}});
  return {{"generation", generation}, {"shards", shards}};
}

class DataSetDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Published: generation 1 with two shards.
    write_file_atomically(dir_ / "shard-00000.h5", "old 0");
    write_file_atomically(dir_ / "shard-00001.h5", "old 1");
    write_file_atomically(dir_ / "quality.json", "{}");
    write_file_atomically(dir_ / "manifest.json", manifest_of({"shard-00000.h5", "shard-00001.h5"}, 1).dump());
  }
  // Stages generation 2: one shard (the job now runs on one rank).
  void stage_generation_2(bool commit) {
    write_file_atomically(data_.staged_shard(0), "new 0");
    if (commit) data_.stage_reports(manifest_of({"shard-00000.h5"}, 2), json{{"q", 2}});
  }
  int published_generation() const { return data_.published_manifest()->at("generation"); }

  testing::TempDir dir_;
  DataSetDir data_{dir_.path()};
};

TEST_F(DataSetDirTest, UncommittedStagingLeavesThePublishedDataSetAlone) {
  stage_generation_2(/*commit=*/false);  // killed before the staged manifest was written
  data_.publish();
  EXPECT_EQ(published_generation(), 1);
  EXPECT_EQ(read_file(dir_ / "shard-00000.h5"), "old 0");
  EXPECT_EQ(read_file(dir_ / "shard-00001.h5"), "old 1");
}

TEST_F(DataSetDirTest, ACommittedRunIsPublishedWholeAndStaleShardsGo) {
  stage_generation_2(/*commit=*/true);
  data_.publish();
  EXPECT_EQ(published_generation(), 2);
  EXPECT_EQ(read_file(dir_ / "shard-00000.h5"), "new 0");
  EXPECT_FALSE(fs::exists(dir_ / "shard-00001.h5")) << "not listed by the new manifest";
  EXPECT_EQ(json::parse(read_file(dir_ / "quality.json"))["q"], 2);
}

TEST_F(DataSetDirTest, APublishKilledHalfwayIsRolledForwardByTheNextOne) {
  stage_generation_2(/*commit=*/true);
  // The shard was moved, then the process died before the manifest was.
  fs::rename(dir_ / ".work" / "staged" / "shard-00000.h5", dir_ / "shard-00000.h5");
  EXPECT_EQ(published_generation(), 1);
  data_.publish();  // the next start
  EXPECT_EQ(published_generation(), 2);
  EXPECT_EQ(read_file(dir_ / "shard-00000.h5"), "new 0");
  data_.publish();  // and again: idempotent
  EXPECT_EQ(published_generation(), 2);
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
