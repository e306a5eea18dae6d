#pragma once
// The process's place in an MPI job, passed explicitly (no global rank). MpiSession
// owns MPI_Init/MPI_Finalize; MpiContext answers rank/size/local rank/host and offers the
// few collectives the job layers need on small host data. Every MPI call is checked:
// failures throw MpiError naming the call, file, line, host and rank.
// Thread-safety: MPI is initialised asking for MPI_THREAD_MULTIPLE (the communicators'
// worker and watchdog threads call MPI beside the training thread); MpiContext's own
// collectives are called from the main thread.

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "shared/core/errors.h"

namespace snipe {

class MpiError : public Error {
 public:
  using Error::Error;
};

// Throws MpiError unless `expr` returns MPI_SUCCESS.
#define SNIPE_MPI_CHECK(expr) ::snipe::detail::check_mpi((expr), #expr, __FILE__, __LINE__)

namespace detail {
void check_mpi(int code, const char* expression, const char* file, int line);
}

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

class MpiContext {
 public:
  // REQUIRES: MPI initialised (an MpiSession is alive).
  explicit MpiContext(MPI_Comm comm = MPI_COMM_WORLD);

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }  // rank among the processes of this host
  int local_size() const { return local_size_; }
  const std::string& host() const { return host_; }
  MPI_Comm comm() const { return comm_; }

  // Whether MPI grants MPI_THREAD_MULTIPLE: threads besides the main one may call MPI.
  bool thread_multiple() const { return thread_multiple_; }

  void barrier() const;
  // Every rank's string, in rank order, on `root` (empty elsewhere).
  std::vector<std::string> gather(const std::string& mine, int root = 0) const;
  // `root`'s value on every rank.
  std::string broadcast(std::string value, int root = 0) const;
  std::int64_t sum(std::int64_t value) const;
  // Ends every rank of the job now (after a fatal error on one rank).
  [[noreturn]] void abort(int exit_code) const;

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
  std::string host_;
  bool thread_multiple_ = false;
};

}  // namespace snipe
