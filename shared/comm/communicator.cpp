// The checks every backend shares, the backend names, and the factory: the one place a
// backend is chosen.

#include "shared/comm/communicator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/comm/backends.h"
#include "shared/comm/device_memory.h"
#include "shared/comm/job_context.h"
#include "shared/comm/stall_watchdog.h"
#include "shared/core/errors.h"

namespace snipe {

std::size_t element_size(DataType type) {
  switch (type) {
    case DataType::kFloat32:
    case DataType::kInt32: return 4;
    case DataType::kFloat64:
    case DataType::kInt64: return 8;
    case DataType::kUint8: return 1;
  }
  return 0;
}

void Communicator::check(Buffer buffer, ReduceOp op) const {
  if (op == ReduceOp::kAverage && buffer.type != DataType::kFloat32 && buffer.type != DataType::kFloat64) {
    throw ConfigError("allreduce: an average needs a floating-point buffer");
  }
  if (!reaches(buffer.memory)) {
    throw ConfigError(fmt::format("the {} communicator cannot reach CUDA memory in this build; HINT: build with the "
                                  "CUDA runtime and NCCL under /usr/local/cuda (SNIPE_WITH_NCCL)",
                                  backend()));
  }
}

std::unique_ptr<Work> Communicator::allreduce_async(Buffer buffer, ReduceOp op) {
  check(buffer, op);
  return start_allreduce(buffer, op);
}

void Communicator::allreduce(Buffer buffer, ReduceOp op) {
  check(buffer, op);
  blocking_allreduce(buffer, op);
}

void Communicator::broadcast(Buffer buffer, int root) {
  if (root < 0 || root >= size()) {
    throw ConfigError(fmt::format("broadcast from rank {} in a job of {} ranks", root, size()));
  }
  check(buffer, ReduceOp::kSum);
  do_broadcast(buffer, root);
}

void Communicator::barrier() { do_barrier(); }

std::string_view comm_backend_name(CommBackend backend) {
  switch (backend) {
    case CommBackend::kAuto: return "auto";
    case CommBackend::kLocal: return "local";
    case CommBackend::kMpi: return "mpi";
    case CommBackend::kNccl: return "nccl";
  }
  return "?";
}

CommBackend parse_comm_backend(std::string_view name) {
  for (const CommBackend b : {CommBackend::kAuto, CommBackend::kLocal, CommBackend::kMpi, CommBackend::kNccl}) {
    if (name == comm_backend_name(b)) return b;
  }
  throw ConfigError(fmt::format("unknown communicator backend '{}': use auto, local, mpi or nccl", name));
}

NcclAvailability nccl_availability() {
  if (!comm_detail::nccl_built()) {
    return {.usable = false, .devices = 0,
            .reason = "this snipe was built without NCCL (no CUDA runtime and NCCL found at configure time)"};
  }
  std::string why;
  const int devices = cuda::device_count(&why);
  if (devices == 0) return {.usable = false, .devices = 0, .reason = "no CUDA device: " + why};
  return {.usable = true, .devices = devices, .reason = {}};
}

namespace {

// Whether NCCL can serve every rank: built, and on every host at least as many GPUs as
// ranks (NCCL refuses two ranks of one communicator on one GPU). The same answer on
// every rank (collective); `why` says what stops it, from this rank's view.
bool nccl_serves_every_rank(const JobContext& job, std::string& why) {
  const NcclAvailability nccl = nccl_availability();
  bool here = nccl.usable;
  if (!here) {
    why = nccl.reason;
  } else if (nccl.devices < job.local_size()) {
    here = false;
    why = fmt::format("host {} runs {} ranks on {} GPUs, and NCCL takes one rank per GPU", job.host(),
                      job.local_size(), nccl.devices);
  }
  const std::int64_t serving = sum(job.comm(), here ? 1 : 0);
  if (here && serving < job.size()) why = fmt::format("{} of {} ranks cannot use NCCL", job.size() - serving, job.size());
  return serving == job.size();
}

CommBackend resolve_auto(const JobContext& job, TensorPlace place) {
  if (job.size() == 1) return CommBackend::kLocal;
  if (place == TensorPlace::kCuda) {
    std::string why;
    if (nccl_serves_every_rank(job, why)) return CommBackend::kNccl;
    if (job.rank() == 0) spdlog::info("communicator: mpi with host staging, not nccl: {}", why);
  }
  return CommBackend::kMpi;
}

// The MPI world `backend` runs over; throws ConfigError in a solo job, which has none.
const MpiContext& mpi_of(const JobContext& job, CommBackend backend) {
  if (job.mpi() == nullptr) {
    throw ConfigError(fmt::format("the {} communicator needs MPI, and this process runs alone without it (use "
                                  "backend \"local\" or \"auto\")",
                                  comm_backend_name(backend)));
  }
  return *job.mpi();
}

std::unique_ptr<Communicator> make_backend(CommBackend backend, const JobContext& job) {
  switch (backend) {
    case CommBackend::kLocal:
      if (job.size() > 1) {
        throw ConfigError(fmt::format("the local communicator serves a job of one rank; this job has {} "
                                      "(use backend \"mpi\" or \"auto\")",
                                      job.size()));
      }
      return comm_detail::make_local_communicator();
    case CommBackend::kNccl: {
      std::string why;
      if (!nccl_serves_every_rank(job, why)) {
        throw ConfigError(fmt::format("distributed.backend = \"nccl\" cannot serve this job: {}; HINT: use \"mpi\" "
                                      "(CUDA tensors staged through host memory) or \"auto\"",
                                      why));
      }
      return comm_detail::make_nccl_communicator(mpi_of(job, backend));
    }
    case CommBackend::kAuto:
    case CommBackend::kMpi: break;
  }
  return comm_detail::make_mpi_communicator(mpi_of(job, CommBackend::kMpi));
}

}  // namespace

std::unique_ptr<Communicator> make_communicator(const CommOptions& options, const JobContext& job,
                                                TensorPlace place) {
  const CommBackend backend =
      options.backend == CommBackend::kAuto ? resolve_auto(job, place) : options.backend;
  std::unique_ptr<Communicator> comm = make_backend(backend, job);
  if (job.size() > 1 && options.stall_timeout_s > 0) {
    comm = watch_for_stalls(std::move(comm), mpi_of(job, backend), options.stall_timeout_s);
  }
  return comm;
}

std::unique_ptr<Communicator> make_solo_communicator() { return comm_detail::make_local_communicator(); }

}  // namespace snipe
