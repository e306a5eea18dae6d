#pragma once
// The process's place in an MPI job, passed explicitly (no global rank). MpiSession
// owns MPI_Init/MPI_Finalize; MpiContext answers rank/size/local rank/host in
// MPI_COMM_WORLD and can end the whole job. Free of <mpi.h>: collectives go through a
// Communicator (shared/comm/communicator.h), and only shared/mpi/ and shared/comm/ call
// MPI, through the private shared/mpi/mpi_check.h.
// Thread-safety: MPI is initialised asking for MPI_THREAD_MULTIPLE (the communicators'
// worker and watchdog threads call MPI beside the training thread).

#include <string>

#include "shared/core/errors.h"

namespace snipe {

// An MPI call failed; the message names the call, file, line, host and rank.
class MpiError : public Error {
 public:
  using Error::Error;
};

// "host <name>, rank <world rank>" for error messages (rank -1 before MPI_Init).
std::string process_location();

// RAII: initialises MPI (also without mpirun: a singleton job of size 1), finalises on
// destruction. At most one per process.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  ~MpiSession();
};

// This process's place in MPI_COMM_WORLD. Immutable once built.
class MpiContext {
 public:
  // REQUIRES: MPI initialised (an MpiSession is alive). Collective (splits the world by host).
  MpiContext();

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }  // rank among the processes of this host
  int local_size() const { return local_size_; }
  const std::string& host() const { return host_; }

  // Whether MPI grants MPI_THREAD_MULTIPLE: threads besides the main one may call MPI.
  bool thread_multiple() const { return thread_multiple_; }

  // Ends every rank of the job now (MPI_Abort, after a fatal error on one rank).
  [[noreturn]] void abort(int exit_code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
  std::string host_;
  bool thread_multiple_ = false;
};

}  // namespace snipe
