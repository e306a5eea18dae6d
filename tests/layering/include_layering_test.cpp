// The architecture as include rules: shared/ is the bottom layer and depends on nothing
// above it; the collector and the trainer sit side by side on it; the shim takes only the
// feature code from shared/; cli/ assembles them all. A header included against these
// rules makes a cycle (shared/config once included collector/ and trainer/ headers while
// they included it back), so each rule is checked against the real tree.

#include <fstream>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/layering/source_tree.h"

namespace snipe::testing {
namespace {

const std::filesystem::path kRoot = SNIPE_SOURCE_DIR;

// The project's top-level source folders; a quoted include starting with one of them is
// a project include.
const std::set<std::string> kProjectFolders = {"shared", "collector", "trainer", "shim", "cli",
                                               "tests",  "benchmarks", "cluster", "launch"};

// Every quoted project include under `folder` whose top folder is not in `allowed`, one
// line each: "file:line includes header".
std::vector<std::string> violations(std::string_view folder, const std::set<std::string>& allowed) {
  std::vector<std::string> found;
  for (const Include& include : includes_under(kRoot, folder)) {
    const std::string top = top_folder(include.header);
    if (include.angled || kProjectFolders.count(top) == 0 || allowed.count(top) > 0) continue;
    found.push_back(fmt::format("{}:{} includes {}", include.file, include.line, include.header));
  }
  return found;
}

std::string lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += "\n  " + item;
  return out;
}

TEST(IncludeLayering, ParserReadsTheDirectiveForms) {
  Include include;
  ASSERT_TRUE(parse_include("#include \"collector/source.h\"", include));
  EXPECT_EQ(include.header, "collector/source.h");
  EXPECT_FALSE(include.angled);
  ASSERT_TRUE(parse_include("  #  include <mpi.h>  // why", include));
  EXPECT_EQ(include.header, "mpi.h");
  EXPECT_TRUE(include.angled);
  EXPECT_FALSE(parse_include("// #include \"trainer/x.h\"", include));
  EXPECT_FALSE(parse_include("#define include \"x.h\"", include));
  EXPECT_EQ(top_folder("trainer/train/train_job.h"), "trainer");
  EXPECT_EQ(top_folder("snipe/shim.h"), "snipe");
}

TEST(IncludeLayering, TheScanSeesEveryFolder) {
  // A scan that found nothing would pass every rule below.
  for (const char* folder : {"shared", "collector", "trainer", "shim", "cli"}) {
    EXPECT_GT(includes_under(kRoot, folder).size(), 10u) << folder;
  }
}

TEST(IncludeLayering, SharedDependsOnNothingAboveIt) {
  const auto bad = violations("shared", {"shared"});
  EXPECT_TRUE(bad.empty()) << "shared/ must not include collector/, trainer/, shim/ or cli/ headers; "
                              "move the code up or pass a plain struct down:"
                           << lines(bad);
}

TEST(IncludeLayering, CollectorAndTrainerStandOnSharedAlone) {
  const auto collector = violations("collector", {"shared", "collector"});
  EXPECT_TRUE(collector.empty()) << lines(collector);
  const auto trainer = violations("trainer", {"shared", "trainer"});
  EXPECT_TRUE(trainer.empty()) << lines(trainer);
}

TEST(IncludeLayering, ShimStandsOnSharedAlone) {
  const auto bad = violations("shim", {"shared", "shim"});
  EXPECT_TRUE(bad.empty()) << "the shim links only the feature library:" << lines(bad);
}

TEST(IncludeLayering, TheShimsPublicHeadersStandAlone) {
  // A bot developer reads include/snipe/ and nothing else: its headers include the
  // standard library (or the C library, for the C ABI) and each other only.
  std::vector<std::string> bad;
  std::size_t seen = 0;
  for (const Include& include : includes_under(kRoot, "shim/include")) {
    ++seen;
    const bool sibling = !include.angled && include.header.starts_with("snipe/");
    const bool standard = include.angled && include.header.find('/') == std::string::npos;
    if (!sibling && !standard) bad.push_back(fmt::format("{}:{} includes {}", include.file, include.line, include.header));
  }
  EXPECT_GT(seen, 5u);
  EXPECT_TRUE(bad.empty()) << lines(bad);
}

// Every line of production code (shared/, collector/, trainer/, shim/ but its Node
// tests, cli/) that contains `needle`, as "file:line".
std::vector<std::string> production_lines_with(std::string_view needle) {
  std::vector<std::string> found;
  for (const char* folder : {"shared", "collector", "trainer", "shim", "cli"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(kRoot / folder)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
      if (entry.path().string().find("node_modules") != std::string::npos) continue;
      std::ifstream in(entry.path());
      std::string text;
      for (int line = 1; std::getline(in, text); ++line) {
        if (text.find(needle) != std::string::npos) {
          found.push_back(fmt::format("{}:{}", std::filesystem::relative(entry.path(), kRoot).string(), line));
        }
      }
    }
  }
  return found;
}

TEST(FaultSeams, NoProductionCodeReadsATestVariableOrKillsItself) {
  // Faults reach the jobs only through the Env's crash points, armed by the test-only
  // FaultInjectionEnv (tests/support): production code neither reads SNIPE_TEST_*
  // variables nor sends itself SIGKILL.
  const auto variables = production_lines_with("SNIPE_TEST_");
  EXPECT_TRUE(variables.empty()) << lines(variables);
  const auto kills = production_lines_with("SIGKILL");
  EXPECT_TRUE(kills.empty()) << lines(kills);
  // The scan itself reads these files: a needle that is there is found.
  EXPECT_FALSE(production_lines_with("FaultPoint::kTokenCheckpointed").empty());
}

}  // namespace
}  // namespace snipe::testing
