// The two ways a process joins a job: as a rank of the MPI world, or alone.

#include "shared/comm/job_context.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "shared/comm/backends.h"

namespace snipe {
namespace {

std::string this_host() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

}  // namespace

JobContext::JobContext(std::unique_ptr<const MpiContext> mpi, std::unique_ptr<Communicator> comm, int local_size,
                       std::string host)
    : mpi_(std::move(mpi)), comm_(std::move(comm)), local_size_(local_size), host_(std::move(host)) {}

JobContext JobContext::over_mpi() {
  auto mpi = std::make_unique<const MpiContext>();
  std::unique_ptr<Communicator> comm = comm_detail::make_mpi_communicator(*mpi);
  const int local_size = mpi->local_size();
  std::string host = mpi->host();
  return JobContext(std::move(mpi), std::move(comm), local_size, std::move(host));
}

JobContext JobContext::solo() { return JobContext(nullptr, comm_detail::make_local_communicator(), 1, this_host()); }

void JobContext::abort(int exit_code) const {
  if (mpi_ != nullptr) mpi_->abort(exit_code);
  std::_Exit(exit_code);  // alone, ending this process ends the job
}

}  // namespace snipe
