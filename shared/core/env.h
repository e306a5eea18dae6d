#pragma once
// Everything a job does to the world outside its process that a crash test wants to
// control, behind one small interface (LevelDB's Env): the files it publishes, the clock,
// and named crash points. Production code uses PosixEnv, created at the edge (cli/main.cpp)
// and passed down by reference; tests link tests/support/fault_injection_env.h, which
// kills, stalls or throws at a crash point, or cuts a file write short, like a node
// losing power (LevelDB's db/fault_injection_test.cc).
//
// Thread-safety: an Env is shared by reference across a job. Implementations must make
// clock() safe from any thread; write_file_atomically() and reached() are called from a
// rank's main thread only.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "shared/core/clock.h"

namespace snipe {

// The places where a job reaches a state that the kill-anywhere tests interrupt. `count`
// in Env::reached() says how far the job has come, as documented per point.
enum class FaultPoint {
  kStageStarted,            // a collect or train stage begins on this rank; count 0
  kTokenCheckpointed,       // collector: a token was fetched and its checkpoint is durable;
                            // count: tokens fetched so far by this run on this rank (1-based)
  kTrainStepStarting,       // trainer: step `count` (1-based, over the whole run) is about to run
  kTrainCheckpointWritten,  // trainer: a mid-epoch checkpoint is complete on every rank;
                            // count: optimizer steps done
};

// "stage_started", ...: for messages.
std::string_view fault_point_name(FaultPoint point);

class Env {
 public:
  virtual ~Env() = default;

  // Replaces `target` with `content` so that readers see the old file or the whole new
  // one, never a prefix, also across a crash (temp file, fsync, rename, fsync of the
  // folder: shared/core/atomic_file.h). The parent folder must exist. Throws IoError.
  virtual void write_file_atomically(const std::filesystem::path& target, std::string_view content) = 0;

  // The clock of the job (monotonic and wall time, sleeping). Lives as long as the Env.
  virtual Clock& clock() = 0;

  // The job has reached `point` with progress `count`. Production: does nothing.
  virtual void reached(FaultPoint point, std::int64_t count) = 0;
};

// The real thing: AtomicFile, RealClock, and crash points that do nothing. Stateless
// apart from its clock, which is stateless too.
class PosixEnv final : public Env {
 public:
  void write_file_atomically(const std::filesystem::path& target, std::string_view content) override;
  Clock& clock() override { return clock_; }
  void reached(FaultPoint, std::int64_t) override {}

 private:
  RealClock clock_;
};

}  // namespace snipe
