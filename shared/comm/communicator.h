#pragma once
// Collectives for data-parallel training behind one small interface (DESIGN.md
// "Communicators"): rank, size, local rank, all-reduce (in place; blocking, or
// asynchronous with a handle), broadcast and barrier. Backends:
//   local  a job of one process: every collective is the identity
//   mpi    host buffers over a private duplicate of the job's communicator; CUDA buffers
//          are staged through pinned host memory. Asynchronous all-reduces run, in issue
//          order, on a worker thread that calls the blocking MPI_Allreduce (Open MPI 4.1's
//          MPI_Iallreduce reached only 0.45-0.7 of its bandwidth here)
//   nccl   CUDA buffers over NCCL on a dedicated stream (host buffers over MPI); built
//          where the CUDA runtime and NCCL are found (SNIPE_WITH_NCCL)
// make_communicator() is the one place a backend is chosen. A job's own host collectives
// (plans, counts, summaries) go through its JobContext's communicator (job_context.h) and
// the derived collectives at the end of this file; no other way to reach the ranks exists
// above shared/comm/, and this header is free of MPI and CUDA headers. With a stall timeout, every
// backend of a multi-rank job is wrapped by the stall watchdog (stall_watchdog.h).
//
// Thread-safety: collectives are issued by one thread at a time (the training thread, or
// autograd's thread during backward while the training thread waits in backward()); a
// Work may be waited on from any thread, once. Every rank must issue the same
// collectives, on buffers of the same count and type, in the same order.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "shared/comm/comm_options.h"
#include "shared/core/errors.h"

namespace snipe {

class JobContext;

enum class ReduceOp {
  kSum,
  kAverage,  // the sum divided by size(); floating-point buffers only
  kMin,
  kMax,
};

enum class DataType { kFloat32, kFloat64, kInt32, kInt64, kUint8 };
std::size_t element_size(DataType type);

enum class MemoryKind {
  kHost,  // ordinary or pinned host memory
  kCuda,  // device memory of the communicator's cuda_device()
};

// A contiguous buffer of `count` elements of `type`.
struct Buffer {
  void* data = nullptr;
  std::size_t count = 0;
  DataType type = DataType::kFloat32;
  MemoryKind memory = MemoryKind::kHost;
  // kCuda only: the cudaStream_t whose work produces the data and consumes the result.
  // A collective starts after the work queued on it so far, and work queued on it after
  // wait() returns sees the result. nullptr: the legacy default stream.
  void* cuda_stream = nullptr;

  std::size_t bytes() const { return count * element_size(type); }
};

template <class T, std::size_t Extent>
Buffer buffer_of(std::span<T, Extent> values) {
  using V = std::remove_const_t<T>;
  static_assert(std::is_same_v<V, float> || std::is_same_v<V, double> || std::is_same_v<V, std::int32_t> ||
                    std::is_same_v<V, std::int64_t> || std::is_same_v<V, std::uint8_t>,
                "buffer_of: float, double, int32, int64 or uint8 elements");
  const DataType type = std::is_same_v<V, float>          ? DataType::kFloat32
                        : std::is_same_v<V, double>       ? DataType::kFloat64
                        : std::is_same_v<V, std::int32_t> ? DataType::kInt32
                        : std::is_same_v<V, std::int64_t> ? DataType::kInt64
                                                          : DataType::kUint8;
  return {const_cast<V*>(values.data()), values.size(), type};
}

// A collective in flight. wait() returns once the buffer holds the result (rethrowing the
// collective's error, if any); it is called at most once. The destructor waits if nobody
// did, so a buffer is never left in use.
class Work {
 public:
  virtual ~Work() = default;
  virtual void wait() = 0;
};

// A collective failed in a way a user can act on (NCCL, CUDA or MPI said why); the
// message names the call, host and rank.
class CommError : public Error {
 public:
  using Error::Error;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual int local_rank() const = 0;            // among the ranks of this host
  virtual std::string_view backend() const = 0;  // "local" | "mpi" | "nccl"
  // The CUDA device whose memory kCuda buffers live in; -1 when this rank uses none.
  virtual int cuda_device() const { return -1; }

  // Starts an in-place all-reduce of `buffer` over every rank; the buffer must stay
  // untouched until the returned Work's wait() returns. Throws ConfigError for an op the
  // type cannot take (an average of integers) or memory the backend cannot reach.
  std::unique_ptr<Work> allreduce_async(Buffer buffer, ReduceOp op);
  // The blocking form; same checks.
  void allreduce(Buffer buffer, ReduceOp op);
  // `root`'s buffer on every rank (same count and type everywhere).
  void broadcast(Buffer buffer, int root);
  // Returns once every rank has called it. Waiting ranks sleep between polls rather than
  // spin, so a rank working alone (writing a checkpoint) keeps its core.
  void barrier();

 protected:
  // The backend's collectives; arguments are already checked.
  virtual std::unique_ptr<Work> start_allreduce(Buffer buffer, ReduceOp op) = 0;
  virtual void blocking_allreduce(Buffer buffer, ReduceOp op) { start_allreduce(buffer, op)->wait(); }
  virtual void do_broadcast(Buffer buffer, int root) = 0;
  virtual void do_barrier() = 0;
  // Whether buffers in `memory` can be reduced by this backend.
  virtual bool reaches(MemoryKind memory) const = 0;

 private:
  void check(Buffer buffer, ReduceOp op) const;
};

// Where the tensors a job reduces live; the factory's `auto` picks by it.
enum class TensorPlace { kHost, kCuda };

// The one place a backend is chosen (comm_options.h). Throws ConfigError when the
// backend cannot serve this job (local with several ranks, nccl without NCCL or GPUs),
// CommError when it fails to start; ConfigError too for mpi or nccl in a solo job (no
// MPI). `job` must outlive the communicator. Collective.
std::unique_ptr<Communicator> make_communicator(const CommOptions& options, const JobContext& job,
                                                TensorPlace place = TensorPlace::kHost);

// This process alone, whatever the job: a local communicator (for single-process
// reference computations in tests and tools).
std::unique_ptr<Communicator> make_solo_communicator();

// Whether this build has the NCCL backend (SNIPE_WITH_NCCL) and CUDA devices this
// process can use, with the reason when not.
struct NcclAvailability {
  bool usable = false;
  int devices = 0;     // CUDA devices visible to this process
  std::string reason;  // why not usable; empty when usable
};
NcclAvailability nccl_availability();

// ---- collectives derived from the interface (collectives.cpp) -------------------------
// Host data only; every rank calls them in the same order (they are collectives).

// `root`'s string on every rank.
void broadcast_string(Communicator& comm, std::string& value, int root = 0);
// Every rank's value, in rank order, on every rank.
std::vector<std::int64_t> allgather(Communicator& comm, std::int64_t value);
// The concatenation of every rank's values, in rank order, on every rank, bit for bit
// (-0 stays -0).
std::vector<double> allgather(Communicator& comm, std::span<const double> values);
// Every rank's string, in rank order, on every rank (byte for byte; lengths may differ).
std::vector<std::string> allgather(Communicator& comm, std::string_view mine);
// The sum of `value` over every rank, on every rank.
std::int64_t sum(Communicator& comm, std::int64_t value);

}  // namespace snipe
