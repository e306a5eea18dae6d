#include "tests/shim/trained_export.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "collector/collect_job.h"
#include "collector/sources/synthetic_source.h"
#include "shared/comm/job_context.h"
#include "shared/core/env.h"
#include "trainer/train/train_job.h"

namespace snipe::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kWindow = 16;

void build(const fs::path& root, const TrainedExport& out) {
  fs::remove_all(root / "data");
  fs::remove_all(root / "run");
  const LabelOptions labels{.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5};
  collector::SyntheticSource source({.seed = 5, .tokens = 12, .min_candles = 200, .max_candles = 300});
  snipe::PosixEnv env;
  collector::run_collect(source, *make_solo_communicator(),
                         {.out_dir = out.data_dir, .validation = {.min_candles = 100}, .labels = labels,
                          .config_fingerprint = "shim fixture"}, env);
  trainer::TrainJob job;
  job.data_dir = out.data_dir;
  job.run_dir = root / "run";
  job.split = {.train_fraction = 0.6, .val_fraction = 0.2, .embargo = 4};
  job.model = {.lstm1_hidden = 8, .lstm2_hidden = 4, .heads = 2, .context_hidden = 4, .head_hidden = 8};
  job.train.window = kWindow;
  job.train.batch_size = 64;
  job.train.epochs = 1;
  job.train.threads = 1;
  job.train.warmup_steps = 2;
  job.settings_toml = "# shim fixture\n";
  trainer::run_train_job(job, JobContext::solo(), env);
}

// Whether `stamp` was written after this test binary was built (else the fixture may come
// from older code).
bool fresh(const fs::path& stamp) {
  std::error_code ec;
  const auto built = fs::last_write_time("/proc/self/exe", ec);
  return fs::exists(stamp) && !ec && fs::last_write_time(stamp) > built;
}

TrainedExport load_or_build() {
  // Every test of the binary runs as its own process (CTest), several at once: the first
  // builds the fixture under an exclusive lock, the others wait and reuse it.
  const fs::path root = SNIPE_SHIM_FIXTURE_DIR;
  fs::create_directories(root);
  const int lock = ::open((root / "lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + (root / "lock").string());
  TrainedExport out{.data_dir = root / "data", .export_dir = root / "run" / "export", .window = kWindow};
  const fs::path stamp = root / "complete";
  if (!fresh(stamp)) {
    fs::remove(stamp);
    build(root, out);
    std::ofstream(stamp) << "built\n";
  }
  ::close(lock);
  return out;
}

}  // namespace

const TrainedExport& trained_export() {
  static const TrainedExport fixture = load_or_build();
  return fixture;
}

}  // namespace snipe::testing
