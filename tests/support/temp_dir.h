#pragma once
// A fresh directory per test under the system temp dir, removed afterwards.

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace snipe::testing {

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    static int instances = 0;  // several TempDirs in one test get distinct folders
    path_ = std::filesystem::temp_directory_path() /
            (std::string("snipe-") + info->test_suite_name() + "-" + info->name() + "-" +
             std::to_string(++instances));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace snipe::testing
