#pragma once
// An Env for crash tests (LevelDB's db/fault_injection_test.cc): the files and the clock are
// the wrapped Env's, and planned faults happen where the job says it has reached a crash
// point, or in the middle of an atomic file write. Only tests link it; the production
// binary cannot kill itself.
//
// Not thread-safe: set it up before the job starts; the job calls it from one thread.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shared/core/env.h"

namespace snipe::testing {

enum class FaultAction {
  kKill,   // SIGKILL this process: no unwinding, no flush, like a node losing power
  kStall,  // block this thread forever (a hung rank, for the stall watchdog)
  kThrow,  // throw std::logic_error "injected test exception at <point> <count>"
};

// The first time the job reaches `point` with a count >= `count`, `action` happens.
struct FaultPlan {
  FaultPoint point = FaultPoint::kStageStarted;
  std::int64_t count = 0;
  FaultAction action = FaultAction::kKill;
};

// A write cut short: the `nth` (1-based) atomic write of a file named `file_name` stops
// after its temp file holds the new content and before the rename that would publish it;
// then `action` happens (kThrow leaves the temp file behind, as a crash would).
struct CutWrite {
  std::string file_name;  // the target's file name, e.g. "manifest.json"
  int nth = 1;
  FaultAction action = FaultAction::kThrow;
};

class FaultInjectionEnv final : public Env {
 public:
  // Files and clock are `base`'s; `base` must outlive this Env.
  explicit FaultInjectionEnv(Env& base) : base_(base) {}

  void plan(FaultPlan fault) { plans_.push_back({fault, false}); }
  void cut(CutWrite write) { cuts_.push_back(std::move(write)); }

  void write_file_atomically(const std::filesystem::path& target, std::string_view content) override;
  Clock& clock() override { return base_.clock(); }
  void reached(FaultPoint point, std::int64_t count) override;

  // Faults that have happened (those that let the process go on: kThrow).
  int faults_injected() const { return injected_; }

 private:
  struct Armed {
    FaultPlan fault;
    bool fired = false;
  };
  void act(FaultAction action, const std::string& where);

  Env& base_;
  std::vector<Armed> plans_;
  std::vector<CutWrite> cuts_;
  std::map<std::string, int> writes_;  // [file name] -> atomic writes so far
  int injected_ = 0;
};

}  // namespace snipe::testing
