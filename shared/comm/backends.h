#pragma once
// Internal to shared/comm: the backends' constructors, for the factory
// (communicator.cpp) and the watchdog's wrapper. Each lives in its own file; the nccl one
// has a CUDA implementation (cuda/) and a stub (stub/), chosen by the build.

#include <memory>

#include "shared/comm/communicator.h"
#include "shared/mpi/mpi_context.h"

namespace snipe::comm_detail {

std::unique_ptr<Communicator> make_local_communicator();

// REQUIRES: `mpi` outlives the communicator. Collective (duplicates MPI_COMM_WORLD).
std::unique_ptr<Communicator> make_mpi_communicator(const MpiContext& mpi);

// One rank per GPU: device local_rank % visible devices. The stub throws ConfigError.
// Collective (the NCCL id is broadcast over MPI).
std::unique_ptr<Communicator> make_nccl_communicator(const MpiContext& mpi);
// Whether the nccl backend is compiled in (the stub answers false).
bool nccl_built();

}  // namespace snipe::comm_detail
