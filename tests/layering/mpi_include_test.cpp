// MPI in one place: only shared/mpi/ and shared/comm/ (and the benchmarks' raw-MPI
// baselines) may reach <mpi.h>, directly or through the project's own headers; everything
// else does its collectives through a JobContext's Communicator. Checked against the real
// tree (SNIPE_SOURCE_DIR).

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/layering/source_tree.h"

namespace snipe::testing {
namespace {

const std::filesystem::path kRoot = SNIPE_SOURCE_DIR;

// The folders whose files may include <mpi.h>.
const std::vector<std::string> kAllowed = {"shared/mpi/", "shared/comm/", "benchmarks/"};

// What one source file includes.
struct FileIncludes {
  bool mpi = false;                  // #include <mpi.h>
  std::vector<std::string> project;  // quoted includes, root-relative as written
};

// Every source file of the project's folders, by root-relative path.
std::map<std::string, FileIncludes> scan_tree() {
  std::map<std::string, FileIncludes> files;
  for (const char* folder : {"shared", "collector", "trainer", "shim", "cli", "tests", "benchmarks"}) {
    if (!std::filesystem::exists(kRoot / folder)) continue;
    for (const Include& include : includes_under(kRoot, folder)) {
      FileIncludes& file = files[include.file];
      if (include.angled && include.header == "mpi.h") file.mpi = true;
      if (!include.angled) file.project.push_back(include.header);
    }
  }
  return files;
}

// Whether `file` reaches <mpi.h> through its project includes; `seen` breaks cycles.
bool reaches_mpi(const std::map<std::string, FileIncludes>& files, const std::string& file,
                 std::set<std::string>& seen) {
  const auto found = files.find(file);
  if (found == files.end() || !seen.insert(file).second) return false;
  if (found->second.mpi) return true;
  for (const std::string& included : found->second.project) {
    if (reaches_mpi(files, included, seen)) return true;
  }
  return false;
}

bool allowed(const std::string& file) {
  for (const std::string& folder : kAllowed) {
    if (file.starts_with(folder)) return true;
  }
  return false;
}

TEST(MpiInclude, OnlyTheCommunicatorLayerReachesMpiH) {
  const std::map<std::string, FileIncludes> files = scan_tree();
  // The scan sees the tree: the MPI layer's private header includes <mpi.h> itself.
  ASSERT_TRUE(files.contains("shared/mpi/mpi_check.h")) << "no sources under " << kRoot;
  ASSERT_TRUE(files.at("shared/mpi/mpi_check.h").mpi);
  std::vector<std::string> offenders;
  for (const auto& [file, includes] : files) {
    std::set<std::string> seen;
    if (!allowed(file) && reaches_mpi(files, file, seen)) offenders.push_back(file);
  }
  EXPECT_TRUE(offenders.empty()) << "these files reach <mpi.h>; use shared/comm/job_context.h and the "
                                    "Communicator's collectives instead:\n  "
                                 << ::testing::PrintToString(offenders);
}

TEST(MpiInclude, ThePublicHeadersOfTheMpiAndCommLayersAreFreeOfMpiH) {
  const std::map<std::string, FileIncludes> files = scan_tree();
  for (const std::string header : {"shared/mpi/mpi_context.h", "shared/comm/communicator.h",
                                   "shared/comm/job_context.h", "shared/comm/comm_options.h"}) {
    std::set<std::string> seen;
    ASSERT_TRUE(files.contains(header)) << header;
    EXPECT_FALSE(reaches_mpi(files, header, seen)) << header << " reaches <mpi.h>";
  }
}

}  // namespace
}  // namespace snipe::testing
