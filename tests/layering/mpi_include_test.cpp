// MPI in one place: only shared/mpi/ and shared/comm/ (and the benchmarks' raw-MPI
// baselines) may reach <mpi.h>, directly or through the project's own headers; everything
// else does its collectives through a JobContext's Communicator. The test reads the source
// tree (SNIPE_SOURCE_DIR), skipping build trees, hidden folders and node_modules.

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace snipe {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = SNIPE_SOURCE_DIR;

// The folders, relative to the root, whose files may include <mpi.h>.
const std::vector<std::string> kAllowed = {"shared/mpi/", "shared/comm/", "benchmarks/"};

// What one source file includes.
struct Includes {
  bool mpi = false;                  // #include <mpi.h> (or "mpi.h")
  std::vector<std::string> project;  // #include "a/b.h" lines, as written (root-relative)
};

bool is_source(const fs::path& path) {
  static const std::set<std::string> kExtensions = {".h", ".hpp", ".cpp", ".cc", ".cu", ".cuh"};
  return kExtensions.contains(path.extension().string());
}

bool skipped_folder(const fs::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  return name.starts_with(".") || name == "node_modules" || fs::exists(entry.path() / "CMakeCache.txt");
}

Includes read_includes(const fs::path& path) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  Includes out;
  std::ifstream in(path);
  std::string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (!std::regex_search(line, match, kInclude)) continue;
    if (match[2] == "mpi.h") out.mpi = true;
    if (match[1] == "\"") out.project.push_back(match[2]);
  }
  return out;
}

// Every source file under the root, by root-relative path.
std::map<std::string, Includes> scan_tree() {
  std::map<std::string, Includes> files;
  for (auto it = fs::recursive_directory_iterator(kRoot); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && skipped_folder(*it)) {
      it.disable_recursion_pending();
    } else if (it->is_regular_file() && is_source(it->path())) {
      files[fs::relative(it->path(), kRoot).generic_string()] = read_includes(it->path());
    }
  }
  return files;
}

// Whether `file` reaches <mpi.h> through its project includes; `seen` breaks cycles.
bool reaches_mpi(const std::map<std::string, Includes>& files, const std::string& file, std::set<std::string>& seen) {
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
  const std::map<std::string, Includes> files = scan_tree();
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
                                 << testing::PrintToString(offenders);
}

TEST(MpiInclude, ThePublicHeadersOfTheMpiAndCommLayersAreFreeOfMpiH) {
  const std::map<std::string, Includes> files = scan_tree();
  for (const std::string header : {"shared/mpi/mpi_context.h", "shared/comm/communicator.h",
                                   "shared/comm/job_context.h", "shared/comm/comm_options.h"}) {
    std::set<std::string> seen;
    ASSERT_TRUE(files.contains(header)) << header;
    EXPECT_FALSE(reaches_mpi(files, header, seen)) << header << " reaches <mpi.h>";
  }
}

}  // namespace
}  // namespace snipe
