#pragma once
// How the ranks of a training job talk ([distributed] in the config). Plain data, free of
// MPI and CUDA headers; the communicator factory (communicator.h) reads it.

#include <string_view>

namespace snipe {

enum class CommBackend {
  kAuto,   // nccl for CUDA tensors when this build has NCCL and every rank of a host has a
           // GPU of its own; otherwise mpi in a job of several ranks, local in a job of one
  kLocal,  // a job of one rank: every collective is the identity
  kMpi,    // host buffers over MPI; CUDA buffers staged through pinned host memory
  kNccl,   // CUDA buffers over NCCL (host buffers still go over MPI)
};

struct CommOptions {
  CommBackend backend = CommBackend::kAuto;
  // A rank blocked in one collective this long asks every rank where it is, logs the
  // ranks that have not arrived (and those that do not answer), then aborts the job.
  // 0: never. Long enough for the slowest thing one rank does while the others wait
  // (rank 0 writing a checkpoint or the export).
  double stall_timeout_s = 600;
};

std::string_view comm_backend_name(CommBackend backend);
// "auto" | "local" | "mpi" | "nccl"; throws ConfigError.
CommBackend parse_comm_backend(std::string_view name);

}  // namespace snipe
