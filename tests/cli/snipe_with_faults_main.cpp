// snipe_faulty: the snipe command line in a FaultInjectionEnv armed from the environment,
// for the kill-anywhere tests that exec a binary (often under mpirun). Reading test
// variables is fine here: only tests build this binary. A fault is armed on the rank that
// the launcher gave this process (launch_rank_from_environment):
//   SNIPE_TEST_KILL_AFTER_TOKENS=N  SIGKILL once this run has fetched and checkpointed N tokens
//   SNIPE_TEST_KILL_AFTER_STEPS=N   SIGKILL after the first mid-epoch checkpoint at or past step N
//   SNIPE_TEST_KILL_RANK=R          the rank of both kills (0 when unset)
//   SNIPE_TEST_STALL_AT_STEP=N      stop for good just before step N (1-based), so the others
//   SNIPE_TEST_STALL_RANK=R         wait for rank R (0 when unset) in the next collective
//   SNIPE_TEST_THROW_ON_RANK=R      rank R throws a plain std::logic_error as a stage starts

#include <cstdint>
#include <cstdlib>
#include <optional>

#include "cli/command.h"
#include "shared/core/csv.h"
#include "shared/core/log.h"
#include "tests/support/fault_injection_env.h"

namespace {

using snipe::FaultPoint;
using snipe::testing::FaultAction;
using snipe::testing::FaultInjectionEnv;

std::optional<std::int64_t> variable(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::nullopt : snipe::csv::parse_int(value);
}

// Arms `point` with the count in variable `name` (> 0) when `rank_variable` names `rank`.
void arm(FaultInjectionEnv& env, const char* name, const char* rank_variable, int rank, FaultPoint point,
         FaultAction action) {
  const auto count = variable(name);
  const auto target = std::getenv(rank_variable) == nullptr ? std::optional<std::int64_t>(0) : variable(rank_variable);
  if (count && *count > 0 && target == rank) env.plan({.point = point, .count = *count, .action = action});
}

}  // namespace

int main(int argc, char** argv) {
  snipe::PosixEnv posix;
  FaultInjectionEnv env(posix);
  const int rank = snipe::launch_rank_from_environment();
  arm(env, "SNIPE_TEST_KILL_AFTER_TOKENS", "SNIPE_TEST_KILL_RANK", rank, FaultPoint::kTokenCheckpointed,
      FaultAction::kKill);
  arm(env, "SNIPE_TEST_KILL_AFTER_STEPS", "SNIPE_TEST_KILL_RANK", rank, FaultPoint::kTrainCheckpointWritten,
      FaultAction::kKill);
  arm(env, "SNIPE_TEST_STALL_AT_STEP", "SNIPE_TEST_STALL_RANK", rank, FaultPoint::kTrainStepStarting,
      FaultAction::kStall);
  if (variable("SNIPE_TEST_THROW_ON_RANK") == rank) {
    env.plan({.point = FaultPoint::kStageStarted, .count = 0, .action = FaultAction::kThrow});
  }
  return snipe::cli::run_cli(argc, argv, env);
}
