#pragma once
// The job as one process sees it: its place (rank, size, local rank, host) and the
// host-side communicator through which it does every collective on small data (plans,
// counts, summaries; collectives in communicator.h). Built once where the job starts
// and passed down (no global rank or communicator); code above shared/comm/ reaches the
// other ranks only through it and never includes <mpi.h>.
//   over_mpi()  a rank of an MPI job: host collectives over MPI (the mpi backend)
//   solo()      this process alone, with no MPI at all: every collective is the identity
//
// Thread-safety: immutable; collectives on comm() from one thread at a time.

#include <memory>
#include <string>

#include "shared/comm/communicator.h"
#include "shared/mpi/mpi_context.h"

namespace snipe {

class JobContext {
 public:
  // A rank of the MPI job (MPI_COMM_WORLD). REQUIRES: an MpiSession is alive and outlives
  // the result. Collective.
  static JobContext over_mpi();
  // This process alone (tests, tools, one-process stages): rank 0 of 1, no MPI calls.
  static JobContext solo();

  int rank() const { return comm_->rank(); }
  int size() const { return comm_->size(); }
  int local_rank() const { return comm_->local_rank(); }  // among the ranks of this host
  int local_size() const { return local_size_; }
  const std::string& host() const { return host_; }

  // Host collectives on small data. The communicator is the context's tool, not its state,
  // so a const context hands it out.
  Communicator& comm() const { return *comm_; }

  // The MPI world, for communicators of their own (make_communicator); nullptr in a solo job.
  const MpiContext* mpi() const { return mpi_.get(); }

  // Ends every rank of the job now, with `exit_code` (MPI_Abort in an MPI job), after a
  // fatal error on this rank, so no rank waits forever in a collective.
  [[noreturn]] void abort(int exit_code) const;

 private:
  JobContext(std::unique_ptr<const MpiContext> mpi, std::unique_ptr<Communicator> comm, int local_size,
             std::string host);

  std::unique_ptr<const MpiContext> mpi_;  // declared first: comm_ refers to it
  std::unique_ptr<Communicator> comm_;
  int local_size_ = 1;
  std::string host_;
};

}  // namespace snipe
