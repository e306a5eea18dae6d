// Which version a model directory serves: an export itself, or what `current` names.

#include "shim/src/version_dir.h"

#include <gtest/gtest.h>

#include "shared/core/atomic_file.h"
#include "shared/store/export_format.h"
#include "snipe/shim.h"
#include "tests/support/temp_dir.h"

namespace snipe::shim {
namespace {

namespace fs = std::filesystem;
using snipe::testing::TempDir;

void make_version(const fs::path& dir) {
  fs::create_directories(dir);
  write_file_atomically(dir / kExportMetadataFile, "{}");
}

std::string refusal(const fs::path& dir) {
  try {
    resolve_version(dir);
  } catch (const ModelError& e) {
    return e.what();
  }
  ADD_FAILURE() << dir << " resolved";
  return {};
}

TEST(VersionDir, AnExportDirectoryIsItsOwnVersion) {
  const TempDir dir;
  make_version(dir / "export");
  const VersionRef ref = resolve_version(dir / "export");
  EXPECT_EQ(ref.name, "export");
  EXPECT_EQ(ref.dir, fs::canonical(dir / "export"));
}

TEST(VersionDir, CurrentAsASymlinkOrAPointerFile) {
  const TempDir dir;
  make_version(dir / "v1");
  make_version(dir / "v2");
  fs::create_directory_symlink("v1", dir / "current");
  EXPECT_EQ(resolve_version(dir.path()).name, "v1");
  fs::remove(dir / "current");
  write_file_atomically(dir / "current", "v2\n");
  EXPECT_EQ(resolve_version(dir.path()).name, "v2");
  write_file_atomically(dir / "current", (dir / "v1").string());  // absolute paths too
  EXPECT_EQ(resolve_version(dir.path()).name, "v1");
}

TEST(VersionDir, AnExportReplacedInPlaceIsANewVersion) {
  const TempDir dir;
  make_version(dir / "export");
  const VersionRef before = resolve_version(dir / "export");
  make_version(dir / "staged");
  fs::rename(dir / "export", dir / "old");
  fs::rename(dir / "staged", dir / "export");
  EXPECT_NE(resolve_version(dir / "export"), before);
  EXPECT_EQ(resolve_version(dir / "export").name, before.name);
}

TEST(VersionDir, MissingOrDanglingCurrentIsRefusedWithAHint) {
  const TempDir dir;
  EXPECT_NE(refusal(dir.path()).find("neither an export directory"), std::string::npos);
  write_file_atomically(dir / "current", "v9");
  EXPECT_NE(refusal(dir.path()).find("does not exist"), std::string::npos);
  write_file_atomically(dir / "current", "  \n");
  EXPECT_NE(refusal(dir.path()).find("is empty"), std::string::npos);
}

}  // namespace
}  // namespace snipe::shim
