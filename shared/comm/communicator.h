#pragma once
// Collectives for data-parallel training behind one small interface (DESIGN.md
// "Communicators"): rank, size, local rank, all-reduce (sum or average, in place,
// asynchronous with a handle), broadcast and barrier. Backends:
//   local  a job of one process: every collective is the identity
//   mpi    host buffers, MPI_Iallreduce / MPI_Bcast on a private duplicate of the job's
//          communicator (so these collectives never match anyone else's)
// The backend is chosen in one place, make_communicator().
// Thread-safety: one thread drives a communicator; a Work may be waited on from that
// thread only. Every rank must issue the same collectives in the same order.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "shared/mpi/mpi_context.h"

namespace snipe {

enum class ReduceOp {
  kSum,
  kAverage,  // the sum divided by size(); floating-point buffers only
};

enum class DataType { kFloat32, kFloat64, kInt32, kInt64 };

// A contiguous buffer of `count` elements of `type`, in host memory.
struct Buffer {
  void* data = nullptr;
  std::size_t count = 0;
  DataType type = DataType::kFloat32;
};

template <class T>
Buffer buffer_of(std::span<T> values) {
  using V = std::remove_const_t<T>;
  static_assert(std::is_same_v<V, float> || std::is_same_v<V, double> || std::is_same_v<V, std::int32_t> ||
                    std::is_same_v<V, std::int64_t>,
                "buffer_of: float, double, int32 or int64 elements");
  const DataType type = std::is_same_v<V, float>          ? DataType::kFloat32
                        : std::is_same_v<V, double>       ? DataType::kFloat64
                        : std::is_same_v<V, std::int32_t> ? DataType::kInt32
                                                          : DataType::kInt64;
  return {const_cast<V*>(values.data()), values.size(), type};
}

// A collective in flight. wait() returns once the buffer holds the result; it is called
// at most once (the destructor waits if nobody did, so a buffer is never left in use).
class Work {
 public:
  virtual ~Work() = default;
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual int local_rank() const = 0;        // among the ranks of this host
  virtual std::string_view backend() const = 0;  // "local" | "mpi"

  // Starts an in-place all-reduce of `buffer` over every rank; the buffer must stay
  // untouched until the returned Work's wait() returns. Throws ConfigError for an average
  // of integers.
  std::unique_ptr<Work> allreduce_async(Buffer buffer, ReduceOp op);
  // `root`'s buffer on every rank (same count and type everywhere).
  virtual void broadcast(Buffer buffer, int root) = 0;
  virtual void barrier() = 0;

  // Blocking all-reduce. With Open MPI 4.1 this is the faster call: its blocking
  // MPI_Allreduce runs tuned algorithms, its MPI_Iallreduce (libnbc) reached 0.45-0.7 of
  // their bandwidth here (benchmarks/bench_allreduce.cpp). Same validation as the async one.
  void allreduce(Buffer buffer, ReduceOp op);

 protected:
  // The backend's all-reduces; `op` is valid for the buffer's type.
  virtual std::unique_ptr<Work> start_allreduce(Buffer buffer, ReduceOp op) = 0;
  virtual void blocking_allreduce(Buffer buffer, ReduceOp op) { start_allreduce(buffer, op)->wait(); }
};

enum class CommBackend {
  kAuto,   // mpi in a job of several ranks, local in a job of one
  kLocal,  // requires a job of one rank
  kMpi,
};
std::string_view comm_backend_name(CommBackend backend);
// "auto" | "local" | "mpi"; throws ConfigError.
CommBackend parse_comm_backend(std::string_view name);

// The one place a backend is chosen. Throws ConfigError when `backend` cannot serve this
// job (local with several ranks). `mpi` must outlive the communicator.
std::unique_ptr<Communicator> make_communicator(CommBackend backend, const MpiContext& mpi);

}  // namespace snipe
