// The nccl backend in builds without NCCL: refused with a hint.

#include "shared/comm/backends.h"
#include "shared/core/errors.h"

namespace snipe::comm_detail {

bool nccl_built() { return false; }

std::unique_ptr<Communicator> make_nccl_communicator(const MpiContext&) {
  throw ConfigError(
      "distributed.backend = \"nccl\": this snipe was built without NCCL; HINT: configure where the CUDA runtime and "
      "NCCL are found (/usr/local/cuda, or CUDAToolkit_ROOT and NCCL_ROOT), or use backend \"mpi\"");
}

}  // namespace snipe::comm_detail
