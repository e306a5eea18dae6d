// Hot reload: versions swapped, a broken one dropped in and a rollback, all while threads
// predict; no prediction fails, none is mixed, each names the version that made it.

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "shared/core/atomic_file.h"
#include "shim/src/model_inputs.h"
#include "snipe/shim.h"
#include "tests/shim/token_context.h"
#include "tests/shim/registry.h"
#include "tests/shim/trained_export.h"
#include "tests/support/series.h"
#include "tests/support/temp_dir.h"

namespace snipe::shim {
namespace {

using namespace std::chrono_literals;
using snipe::testing::Registry;
using snipe::testing::TempDir;
using snipe::testing::trained_export;

const std::vector<Candle>& candles() {
  static const std::vector<Candle> series = shim_candles(snipe::testing::random_walk(200, 17, 0.004));
  return series;
}
TokenInput token() { return {candles(), snipe::testing::context_values(TokenContext{})}; }

// The version's answer for token(), from a shim of its own.
Prediction answer_of(const std::filesystem::path& version_dir) {
  return Shim(version_dir, {.watch = false}).predict(token());
}

// Waits (up to 20 s) until `done` holds.
template <class Done>
bool eventually(Done&& done) {
  for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

bool same(const Prediction& a, const Prediction& b) {
  return std::abs(a.profitable_prob - b.profitable_prob) <= 1e-6 && std::abs(a.max_profit - b.max_profit) <= 1e-6 &&
         std::abs(a.rug_prob - b.rug_prob) <= 1e-6;
}

TEST(HotReload, SwapsBrokenVersionAndRollbackUnderLoadLoseNoPrediction) {
  const TempDir dir;
  const Registry registry(dir / "models");
  const auto& exported = trained_export().export_dir;
  std::map<std::string, Prediction> expected = {{"v1", answer_of(registry.add("v1", exported))},
                                                {"v2", answer_of(registry.add_shifted("v2", exported, 0.75))}};
  registry.add_truncated("v3", exported);
  ASSERT_FALSE(same(expected["v1"], expected["v2"])) << "the versions must be told apart by their answers";
  registry.point_current_at("v1");

  const Shim shim(registry.root(), {.watch = true, .poll_interval = 10ms});
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<std::string, std::size_t> answers;  // version -> predictions it made
  std::vector<std::string> problems;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!stop) {
        std::string problem;
        Prediction p;
        try {
          p = shim.predict(token());
          const auto want = expected.find(p.model_version);
          if (want == expected.end()) {
            problem = "unknown version " + p.model_version;
          } else if (!same(p, want->second)) {
            problem = "a mixed answer from " + p.model_version;
          }
        } catch (const std::exception& e) {
          problem = e.what();
        }
        const std::lock_guard lock(mutex);
        if (problem.empty()) ++answers[p.model_version]; else problems.push_back(problem);
      }
    });
  }
  const auto answers_of = [&](const std::string& v) {
    const std::lock_guard lock(mutex);
    return answers[v];
  };

  EXPECT_TRUE(eventually([&] { return answers_of("v1") > 20; }));
  registry.point_current_at("v2");
  EXPECT_TRUE(eventually([&] { return shim.model_version() == "v2" && answers_of("v2") > 20; }));
  registry.point_current_at("v3");  // broken: v2 must keep serving
  EXPECT_TRUE(eventually([&] { return shim.status().failed_version == "v3"; }));
  const std::size_t v2_before = answers_of("v2");
  EXPECT_TRUE(eventually([&] { return answers_of("v2") > v2_before + 20; }));
  EXPECT_EQ(shim.model_version(), "v2");
  const std::size_t v1_before = answers_of("v1");
  registry.point_current_at("v1");  // rollback
  EXPECT_TRUE(eventually([&] { return shim.model_version() == "v1" && answers_of("v1") > v1_before + 20; }));
  stop = true;
  for (auto& t : threads) t.join();

  EXPECT_TRUE(problems.empty()) << problems.size() << " failed or mixed predictions, first: " << problems.front();
  const ShimStatus status = shim.status();
  EXPECT_EQ(status.serving, "v1");
  EXPECT_EQ(status.loads, 3u);     // v1, v2, v1 again
  EXPECT_EQ(status.failures, 1u);  // v3
  EXPECT_NE(status.last_error.find("v3"), std::string::npos) << status.last_error;
}

TEST(HotReload, ExplicitReloadSwapsOrKeepsTheOldVersionOnFailure) {
  const TempDir dir;
  const Registry registry(dir / "models");
  const auto& exported = trained_export().export_dir;
  const Prediction v1 = answer_of(registry.add("v1", exported));
  const Prediction v2 = answer_of(registry.add_shifted("v2", exported, -0.5));
  registry.add_truncated("broken", exported);
  registry.point_current_at("v1");
  Shim shim(registry.root(), {.watch = false});

  registry.point_current_at("v2");
  EXPECT_EQ(shim.model_version(), "v1") << "without the watcher nothing changes until reload()";
  shim.reload();
  EXPECT_TRUE(same(shim.predict(token()), v2));

  registry.point_current_at("broken");
  EXPECT_THROW(shim.reload(), ModelError);
  EXPECT_EQ(shim.model_version(), "v2");
  EXPECT_TRUE(same(shim.predict(token()), v2));
  EXPECT_EQ(shim.status().failed_version, "broken");

  registry.point_current_at("v1");
  shim.reload();
  EXPECT_TRUE(same(shim.predict(token()), v1));
}

TEST(HotReload, AVersionFailingItsSelfCheckIsNotSwappedIn) {
  const TempDir dir;
  const Registry registry(dir / "models");
  const auto& exported = trained_export().export_dir;
  registry.add("v1", exported);
  registry.add_shifted("overflowing", exported, 1e300);  // scaled inputs overflow float32: NaN outputs
  registry.point_current_at("v1");
  Shim shim(registry.root(), {.watch = false});
  registry.point_current_at("overflowing");
  try {
    shim.reload();
    FAIL() << "a model answering NaN was swapped in";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("fails the self-check"), std::string::npos) << e.what();
  }
  EXPECT_EQ(shim.model_version(), "v1");
}

TEST(HotReload, AVersionWithAMistypedMetadataFieldIsRefusedNotFatal) {
  const TempDir dir;
  const Registry registry(dir / "models");
  const auto& exported = trained_export().export_dir;
  registry.add("v1", exported);
  const auto odd = registry.add("odd", exported);
  nlohmann::json metadata = nlohmann::json::parse(read_file(odd / kExportMetadataFile));
  metadata["snipe_version"] = 7;  // a number where a string belongs
  write_file_atomically(odd / kExportMetadataFile, metadata.dump());
  registry.point_current_at("v1");
  const Shim shim(registry.root(), {.watch = true, .poll_interval = 10ms});
  registry.point_current_at("odd");
  EXPECT_TRUE(eventually([&] { return shim.status().failed_version == "odd"; }));
  EXPECT_EQ(shim.model_version(), "v1");
}

TEST(HotReload, AnExportRewrittenInPlaceIsPickedUp) {
  const TempDir dir;
  const Registry registry(dir / "models");
  const auto& exported = trained_export().export_dir;
  const auto served = registry.add("export", exported);
  const Prediction before = answer_of(served);
  const Shim shim(served, {.watch = true, .poll_interval = 10ms});
  const auto staged = registry.add_shifted("staged", exported, 0.5);
  const Prediction after = answer_of(staged);
  std::filesystem::rename(served, dir / "old");  // as write_export swaps a new export in
  std::filesystem::rename(staged, served);
  EXPECT_TRUE(eventually([&] { return shim.status().loads == 2; }));
  EXPECT_TRUE(same(shim.predict(token()), after));
  EXPECT_FALSE(same(before, after));
}

}  // namespace
}  // namespace snipe::shim
