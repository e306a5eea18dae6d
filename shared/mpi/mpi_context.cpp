// MpiSession, MpiContext and the MPI check: the only MPI calls outside shared/comm/.

#include "shared/mpi/mpi_context.h"

#include <cstdlib>

#include <fmt/format.h>

#include "shared/mpi/mpi_check.h"

namespace snipe {
namespace {

std::string host_name() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  return std::string(name, static_cast<std::size_t>(length));
}

int world_rank() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  int rank = -1;
  if (initialized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

}  // namespace

namespace detail {
void check_mpi(int code, const char* expression, const char* file, int line) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw MpiError(fmt::format("{} failed: {} ({}:{}, {})", expression,
                             std::string_view(text, static_cast<std::size_t>(length)), file, line,
                             process_location()));
}
}  // namespace detail

std::string process_location() { return fmt::format("host {}, rank {}", host_name(), world_rank()); }

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  SNIPE_MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided));
  // Errors come back as codes that SNIPE_MPI_CHECK turns into exceptions with context.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

MpiContext::MpiContext() : host_(host_name()) {
  SNIPE_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
  SNIPE_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size_));
  MPI_Comm local = MPI_COMM_NULL;
  SNIPE_MPI_CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local));
  SNIPE_MPI_CHECK(MPI_Comm_rank(local, &local_rank_));
  SNIPE_MPI_CHECK(MPI_Comm_size(local, &local_size_));
  MPI_Comm_free(&local);
  int level = MPI_THREAD_SINGLE;
  SNIPE_MPI_CHECK(MPI_Query_thread(&level));
  thread_multiple_ = level >= MPI_THREAD_MULTIPLE;
}

void MpiContext::abort(int exit_code) const {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest
}

}  // namespace snipe
