// CUDA-only: the nccl backend. One NCCL communicator per job (its ncclUniqueId made by
// rank 0 and broadcast over MPI), one GPU per rank (local rank modulo the visible
// devices), collectives on a dedicated non-blocking stream that waits for the buffer's own
// stream. Host buffers go over an mpi backend beside it, so small host collectives (data
// statistics, metrics) work whatever the backend.

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/comm/backends.h"
#include "shared/comm/cuda/cuda_check.h"
#include "shared/comm/device_memory.h"
#include "shared/mpi/mpi_check.h"

namespace snipe::comm_detail {
namespace {

ncclDataType_t nccl_type(DataType type) {
  switch (type) {
    case DataType::kFloat32: return ncclFloat32;
    case DataType::kFloat64: return ncclFloat64;
    case DataType::kInt32: return ncclInt32;
    case DataType::kInt64: return ncclInt64;
    case DataType::kUint8: return ncclUint8;
  }
  return ncclFloat32;
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum: return ncclSum;
    case ReduceOp::kAverage: return ncclAvg;
    case ReduceOp::kMin: return ncclMin;
    case ReduceOp::kMax: return ncclMax;
  }
  return ncclSum;
}

// RAII: `device` is current on this thread for the guard's life (autograd's threads and
// the training thread may have another one current).
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    SNIPE_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) SNIPE_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

// A CUDA event without timing, destroyed with its owner.
class Event {
 public:
  Event() { SNIPE_CUDA_CHECK(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming)); }
  ~Event() { cudaEventDestroy(event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// A collective queued on the communicator's stream. wait() blocks the host until it is
// done (so the stall watchdog sees a hung peer), surfacing NCCL's asynchronous errors, then
// orders the buffer's stream after it.
class NcclWork final : public Work {
 public:
  NcclWork(ncclComm_t comm, int device, cudaStream_t comm_stream, cudaStream_t consumer)
      : comm_(comm), device_(device), consumer_(consumer) {
    SNIPE_CUDA_CHECK(cudaEventRecord(done_.get(), comm_stream));
  }
  ~NcclWork() override {
    if (waited_) return;
    try {
      wait();
    } catch (...) {  // nobody asked for the result
    }
  }
  void wait() override {
    if (waited_) return;
    waited_ = true;
    const DeviceGuard device(device_);
    auto pause = std::chrono::microseconds(1);
    while (true) {
      const cudaError_t state = cudaEventQuery(done_.get());
      if (state == cudaSuccess) break;
      if (state != cudaErrorNotReady) SNIPE_CUDA_CHECK(state);
      ncclResult_t async = ncclSuccess;
      SNIPE_NCCL_CHECK(ncclCommGetAsyncError(comm_, &async));
      SNIPE_NCCL_CHECK(async);
      std::this_thread::sleep_for(pause);
      pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::microseconds(200));
    }
    SNIPE_CUDA_CHECK(cudaStreamWaitEvent(consumer_, done_.get(), 0));
  }

 private:
  ncclComm_t comm_;
  int device_;
  cudaStream_t consumer_;
  Event done_;
  bool waited_ = false;
};

class NcclCommunicator final : public Communicator {
 public:
  explicit NcclCommunicator(const MpiContext& mpi) : mpi_(mpi), host_(make_mpi_communicator(mpi)) {
    device_ = mpi.local_rank() % cuda::device_count();
    const DeviceGuard device(device_);
    ncclUniqueId id{};
    if (mpi.rank() == 0) SNIPE_NCCL_CHECK(ncclGetUniqueId(&id));
    SNIPE_MPI_CHECK(MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, MPI_COMM_WORLD));
    SNIPE_NCCL_CHECK(ncclCommInitRank(&comm_, mpi.size(), id, mpi.rank()));
    SNIPE_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    spdlog::info("nccl: rank {} on {} (local rank {}) uses GPU {} ({})", mpi.rank(), mpi.host(), mpi.local_rank(),
                 device_, cuda::device_name(device_));
  }
  ~NcclCommunicator() override {
    if (stream_ != nullptr) cudaStreamSynchronize(stream_);
    if (comm_ != nullptr) ncclCommDestroy(comm_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return mpi_.rank(); }
  int size() const override { return mpi_.size(); }
  int local_rank() const override { return mpi_.local_rank(); }
  std::string_view backend() const override { return "nccl"; }
  int cuda_device() const override { return device_; }

 protected:
  std::unique_ptr<Work> start_allreduce(Buffer buffer, ReduceOp op) override {
    if (buffer.memory == MemoryKind::kHost) return host_->allreduce_async(buffer, op);
    const DeviceGuard device(device_);
    const auto consumer = static_cast<cudaStream_t>(buffer.cuda_stream);
    after(consumer);
    SNIPE_NCCL_CHECK(ncclAllReduce(buffer.data, buffer.data, buffer.count, nccl_type(buffer.type), nccl_op(op),
                                   comm_, stream_));
    return std::make_unique<NcclWork>(comm_, device_, stream_, consumer);
  }

  void do_broadcast(Buffer buffer, int root) override {
    if (buffer.memory == MemoryKind::kHost) return host_->broadcast(buffer, root);
    const DeviceGuard device(device_);
    const auto consumer = static_cast<cudaStream_t>(buffer.cuda_stream);
    after(consumer);
    SNIPE_NCCL_CHECK(
        ncclBroadcast(buffer.data, buffer.data, buffer.count, nccl_type(buffer.type), root, comm_, stream_));
    NcclWork(comm_, device_, stream_, consumer).wait();
  }

  void do_barrier() override {
    {
      const DeviceGuard device(device_);
      SNIPE_CUDA_CHECK(cudaStreamSynchronize(stream_));
    }
    host_->barrier();
  }

  bool reaches(MemoryKind) const override { return true; }

 private:
  // Orders the communicator's stream after the work queued on `producer` so far.
  void after(cudaStream_t producer) {
    const Event ready;
    SNIPE_CUDA_CHECK(cudaEventRecord(ready.get(), producer));
    SNIPE_CUDA_CHECK(cudaStreamWaitEvent(stream_, ready.get(), 0));
  }

  const MpiContext& mpi_;
  std::unique_ptr<Communicator> host_;  // host buffers
  int device_ = 0;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;  // NCCL's own; waits for each buffer's stream
};

}  // namespace

bool nccl_built() { return true; }

std::unique_ptr<Communicator> make_nccl_communicator(const MpiContext& mpi) {
  return std::make_unique<NcclCommunicator>(mpi);
}

}  // namespace snipe::comm_detail
