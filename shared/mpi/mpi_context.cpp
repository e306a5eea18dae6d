#include "shared/mpi/mpi_context.h"

#include <numeric>

#include <fmt/format.h>

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

MpiContext::MpiContext(MPI_Comm comm) : comm_(comm), host_(host_name()) {
  SNIPE_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
  SNIPE_MPI_CHECK(MPI_Comm_size(comm_, &size_));
  MPI_Comm local = MPI_COMM_NULL;
  SNIPE_MPI_CHECK(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local));
  SNIPE_MPI_CHECK(MPI_Comm_rank(local, &local_rank_));
  SNIPE_MPI_CHECK(MPI_Comm_size(local, &local_size_));
  MPI_Comm_free(&local);
  int level = MPI_THREAD_SINGLE;
  SNIPE_MPI_CHECK(MPI_Query_thread(&level));
  thread_multiple_ = level >= MPI_THREAD_MULTIPLE;
}

void MpiContext::barrier() const { SNIPE_MPI_CHECK(MPI_Barrier(comm_)); }

std::vector<std::string> MpiContext::gather(const std::string& mine, int root) const {
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(rank_ == root ? static_cast<std::size_t>(size_) : 0);
  SNIPE_MPI_CHECK(MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, root, comm_));
  std::vector<int> offsets(lengths.size());
  if (!lengths.empty()) std::exclusive_scan(lengths.begin(), lengths.end(), offsets.begin(), 0);
  std::string all(rank_ == root ? static_cast<std::size_t>(offsets.back() + lengths.back()) : 0, '\0');
  SNIPE_MPI_CHECK(MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(),
                              offsets.data(), MPI_CHAR, root, comm_));
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  }
  return out;
}

std::string MpiContext::broadcast(std::string value, int root) const {
  std::uint64_t length = value.size();
  SNIPE_MPI_CHECK(MPI_Bcast(&length, 1, MPI_UINT64_T, root, comm_));
  value.resize(length);
  SNIPE_MPI_CHECK(MPI_Bcast(value.data(), static_cast<int>(length), MPI_CHAR, root, comm_));
  return value;
}

std::int64_t MpiContext::sum(std::int64_t value) const {
  std::int64_t total = 0;
  SNIPE_MPI_CHECK(MPI_Allreduce(&value, &total, 1, MPI_INT64_T, MPI_SUM, comm_));
  return total;
}

void MpiContext::abort(int exit_code) const {
  MPI_Abort(comm_, exit_code);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest
}

}  // namespace snipe
