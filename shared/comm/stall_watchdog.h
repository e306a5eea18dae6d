#pragma once
// The stall watchdog (after Horovod's stall inspector): a rank blocked in one collective
// longer than the stall timeout asks every other rank where it stands, logs which ranks
// have not arrived at that collective and which did not answer, and aborts the job, so a
// hung or dead rank ends the job with a reason instead of a silent hang.
//
// watch_for_stalls() wraps any backend. The wrapper numbers the collectives as they are
// issued (every rank issues the same ones in the same order, so the numbers agree) and
// records when this rank blocks in one; a watchdog thread per rank answers the inquiries
// of other ranks and runs this rank's own, over a private duplicate of the job's MPI
// communicator. Costs per collective: a few atomic stores and a clock read. Inquiries
// need MPI_THREAD_MULTIPLE; without it a stalled rank reports only itself.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "shared/comm/communicator.h"
#include "shared/mpi/mpi_context.h"

namespace snipe {

// Where one rank stands, as it answers an inquiry.
struct RankActivity {
  std::int64_t issued = 0;      // collectives this rank has issued; the last one is number `issued`
  std::int64_t waiting_on = 0;  // the collective it is blocked in; 0: not blocked
  double seconds = 0;           // blocked that long, or this long since its last collective ended
  std::string host;
};

// What a stalled rank learnt: it has waited `waited_s` in collective `stalled`
// (described by `what`, e.g. "allreduce of 1.7 MB"); ranks[r] is rank r's answer, nullopt
// when it did not answer within `grace_s`.
struct StallInquiry {
  int rank = 0;
  std::int64_t stalled = 0;
  std::string what;
  double waited_s = 0;
  double timeout_s = 0;
  double grace_s = 0;
  std::vector<std::optional<RankActivity>> ranks;  // [rank]; this rank's own entry included
};

// Ranks that have not issued collective `stalled` yet.
std::vector<int> ranks_not_arrived(const StallInquiry& inquiry);
// Ranks that did not answer.
std::vector<int> ranks_unresponsive(const StallInquiry& inquiry);
// The error message: the stalled collective, then each rank that has not arrived (its host
// and what it was last seen doing), each that did not answer, and a hint.
std::string stall_report(const StallInquiry& inquiry);

// `inner` with the watchdog. REQUIRES: `mpi` outlives the result. Collective.
std::unique_ptr<Communicator> watch_for_stalls(std::unique_ptr<Communicator> inner, const MpiContext& mpi,
                                               double timeout_s);

}  // namespace snipe
