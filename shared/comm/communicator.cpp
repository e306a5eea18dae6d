// The local and MPI backends, and the factory.

#include "shared/comm/communicator.h"

#include <algorithm>
#include <climits>
#include <string>

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe {
namespace {

// ---- local --------------------------------------------------------------------------

class DoneWork final : public Work {
 public:
  void wait() override {}
};

class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string_view backend() const override { return "local"; }
  std::unique_ptr<Work> start_allreduce(Buffer, ReduceOp) override { return std::make_unique<DoneWork>(); }
  void broadcast(Buffer, int root) override {
    if (root != 0) throw ConfigError(fmt::format("broadcast from rank {} in a job of one rank", root));
  }
  void barrier() override {}
};

// ---- mpi ----------------------------------------------------------------------------

MPI_Datatype mpi_type(DataType type) {
  switch (type) {
    case DataType::kFloat32: return MPI_FLOAT;
    case DataType::kFloat64: return MPI_DOUBLE;
    case DataType::kInt32: return MPI_INT32_T;
    case DataType::kInt64: return MPI_INT64_T;
  }
  return MPI_DATATYPE_NULL;
}

std::size_t element_size(DataType type) {
  return type == DataType::kFloat32 || type == DataType::kInt32 ? 4 : 8;
}

// Divides every element by `size` (kAverage), in the buffer's own precision.
void divide(Buffer buffer, int size) {
  if (buffer.type == DataType::kFloat32) {
    const float factor = 1.0f / static_cast<float>(size);
    std::span values(static_cast<float*>(buffer.data), buffer.count);
    for (float& v : values) v *= factor;
  } else {
    const double factor = 1.0 / static_cast<double>(size);
    std::span values(static_cast<double*>(buffer.data), buffer.count);
    for (double& v : values) v *= factor;
  }
}

// MPI counts are int: a buffer of more than INT_MAX elements goes as several requests.
constexpr std::size_t kMaxChunk = INT_MAX;

class MpiWork final : public Work {
 public:
  MpiWork(std::vector<MPI_Request> requests, Buffer buffer, ReduceOp op, int size)
      : requests_(std::move(requests)), buffer_(buffer), op_(op), size_(size) {}
  ~MpiWork() override {
    if (!done_) MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
  }
  void wait() override {
    if (done_) return;
    done_ = true;
    SNIPE_MPI_CHECK(MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE));
    if (op_ == ReduceOp::kAverage && size_ > 1) divide(buffer_, size_);
  }

 private:
  std::vector<MPI_Request> requests_;
  Buffer buffer_;
  ReduceOp op_;
  int size_;
  bool done_ = false;
};

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(const MpiContext& mpi) : mpi_(mpi) { SNIPE_MPI_CHECK(MPI_Comm_dup(mpi.comm(), &comm_)); }
  ~MpiCommunicator() override { MPI_Comm_free(&comm_); }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return mpi_.rank(); }
  int size() const override { return mpi_.size(); }
  int local_rank() const override { return mpi_.local_rank(); }
  std::string_view backend() const override { return "mpi"; }

  std::unique_ptr<Work> start_allreduce(Buffer buffer, ReduceOp op) override {
    std::vector<MPI_Request> requests;
    for_chunks(buffer, [&](void* data, int count) {
      requests.push_back(MPI_REQUEST_NULL);
      SNIPE_MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, data, count, mpi_type(buffer.type), MPI_SUM, comm_, &requests.back()));
    });
    return std::make_unique<MpiWork>(std::move(requests), buffer, op, size());
  }

  void blocking_allreduce(Buffer buffer, ReduceOp op) override {
    for_chunks(buffer, [&](void* data, int count) {
      SNIPE_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, data, count, mpi_type(buffer.type), MPI_SUM, comm_));
    });
    if (op == ReduceOp::kAverage && size() > 1) divide(buffer, size());
  }

  void broadcast(Buffer buffer, int root) override {
    for_chunks(buffer, [&](void* data, int count) {
      SNIPE_MPI_CHECK(MPI_Bcast(data, count, mpi_type(buffer.type), root, comm_));
    });
  }

  void barrier() override { SNIPE_MPI_CHECK(MPI_Barrier(comm_)); }

 private:
  template <class Body>
  static void for_chunks(Buffer buffer, const Body& body) {
    auto* bytes = static_cast<char*>(buffer.data);
    for (std::size_t done = 0; done < buffer.count;) {
      const std::size_t count = std::min(kMaxChunk, buffer.count - done);
      body(bytes + done * element_size(buffer.type), static_cast<int>(count));
      done += count;
    }
  }

  const MpiContext& mpi_;
  MPI_Comm comm_ = MPI_COMM_NULL;
};

}  // namespace

namespace {

void require_valid(Buffer buffer, ReduceOp op) {
  if (op == ReduceOp::kAverage && (buffer.type == DataType::kInt32 || buffer.type == DataType::kInt64)) {
    throw ConfigError("allreduce: an average needs a floating-point buffer");
  }
}

}  // namespace

std::unique_ptr<Work> Communicator::allreduce_async(Buffer buffer, ReduceOp op) {
  require_valid(buffer, op);
  return start_allreduce(buffer, op);
}

void Communicator::allreduce(Buffer buffer, ReduceOp op) {
  require_valid(buffer, op);
  blocking_allreduce(buffer, op);
}

std::string_view comm_backend_name(CommBackend backend) {
  switch (backend) {
    case CommBackend::kAuto: return "auto";
    case CommBackend::kLocal: return "local";
    case CommBackend::kMpi: return "mpi";
  }
  return "?";
}

CommBackend parse_comm_backend(std::string_view name) {
  if (name == "auto") return CommBackend::kAuto;
  if (name == "local") return CommBackend::kLocal;
  if (name == "mpi") return CommBackend::kMpi;
  throw ConfigError(fmt::format("unknown communicator backend '{}': use auto, local or mpi", name));
}

std::unique_ptr<Communicator> make_communicator(CommBackend backend, const MpiContext& mpi) {
  if (backend == CommBackend::kAuto) backend = mpi.size() > 1 ? CommBackend::kMpi : CommBackend::kLocal;
  if (backend == CommBackend::kLocal) {
    if (mpi.size() > 1) {
      throw ConfigError(fmt::format("the local communicator serves a job of one rank; this job has {} "
                                    "(use backend \"mpi\" or \"auto\")",
                                    mpi.size()));
    }
    return std::make_unique<LocalCommunicator>();
  }
  return std::make_unique<MpiCommunicator>(mpi);
}

}  // namespace snipe
