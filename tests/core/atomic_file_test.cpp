#include "shared/core/atomic_file.h"

#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "shared/core/errors.h"

namespace snipe {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("snipe-atomic-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::size_t files_in_dir() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
};

TEST_F(AtomicFileTest, CommitReplacesTheTargetWholly) {
  const fs::path target = dir_ / "out.csv";
  write_file_atomically(target, "old\n");
  AtomicFile file(target);
  file.append("new ");
  file.append(std::string(3 << 20, 'x'));  // larger than the write buffer
  EXPECT_EQ(read_file(target), "old\n") << "target must not change before commit";
  file.commit();
  const std::string content = read_file(target);
  EXPECT_EQ(content.size(), 4u + (3u << 20));
  EXPECT_EQ(content.substr(0, 4), "new ");
  EXPECT_EQ(files_in_dir(), 1u) << "no temp file may remain";
}

TEST_F(AtomicFileTest, FailureMidWriteKeepsTheOldFileAndLeavesNoTemp) {
  const fs::path target = dir_ / "report.json";
  write_file_atomically(target, "{\"complete\": true}\n");
  try {
    AtomicFile file(target);
    file.append("{\"half\": ");
    throw std::runtime_error("crash while writing");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(read_file(target), "{\"complete\": true}\n");
  EXPECT_EQ(files_in_dir(), 1u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnIoErrorNamingThePath) {
  const fs::path target = dir_ / "no" / "such" / "dir" / "file.txt";
  try {
    write_file_atomically(target, "x");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/dir"), std::string::npos) << e.what();
  }
}

TEST_F(AtomicFileTest, ReadingAMissingFileNamesIt) {
  try {
    read_file(dir_ / "absent.csv");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.csv"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snipe
