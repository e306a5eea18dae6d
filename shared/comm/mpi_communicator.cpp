// The mpi backend: collectives on a private duplicate of the job's communicator.
// Asynchronous all-reduces are queued to a worker thread that runs the blocking
// MPI_Allreduce on them in issue order (needs MPI_THREAD_MULTIPLE; without it they run at
// issue time). Blocking collectives first wait for the queue to drain, then run on the
// calling thread, so the communicator issues its collectives in one order. CUDA buffers
// are staged through pinned host memory.

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "shared/comm/backends.h"
#include "shared/comm/device_memory.h"
#include "shared/mpi/mpi_check.h"

namespace snipe::comm_detail {
namespace {

MPI_Datatype mpi_type(DataType type) {
  switch (type) {
    case DataType::kFloat32: return MPI_FLOAT;
    case DataType::kFloat64: return MPI_DOUBLE;
    case DataType::kInt32: return MPI_INT32_T;
    case DataType::kInt64: return MPI_INT64_T;
    case DataType::kUint8: return MPI_UINT8_T;
  }
  return MPI_DATATYPE_NULL;
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
    case ReduceOp::kAverage: return MPI_SUM;  // then divided by the size
    case ReduceOp::kMin: return MPI_MIN;
    case ReduceOp::kMax: return MPI_MAX;
  }
  return MPI_OP_NULL;
}

// Divides `count` elements by `size`, in the buffer's own precision (floating point only).
void divide(void* data, std::size_t count, DataType type, int size) {
  if (type == DataType::kFloat32) {
    const float factor = 1.0f / static_cast<float>(size);
    for (float& v : std::span(static_cast<float*>(data), count)) v *= factor;
  } else {
    const double factor = 1.0 / static_cast<double>(size);
    for (double& v : std::span(static_cast<double*>(data), count)) v *= factor;
  }
}

// MPI counts are int: a buffer of more than INT_MAX elements goes as several calls.
template <class Body>
void for_chunks(void* data, std::size_t count, DataType type, const Body& body) {
  auto* bytes = static_cast<char*>(data);
  for (std::size_t done = 0; done < count;) {
    const std::size_t n = std::min<std::size_t>(INT_MAX, count - done);
    body(bytes + done * element_size(type), static_cast<int>(n));
    done += n;
  }
}

// The end of a queued collective, shared by the worker thread and the caller's Work.
class Completion {
 public:
  void finish(std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      error_ = std::move(error);
    }
    finished_.notify_all();
  }
  // Blocks until finish(); rethrows the collective's error.
  void wait() {
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [&] { return done_; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable finished_;
  bool done_ = false;
  std::exception_ptr error_;
};

class QueuedWork final : public Work {
 public:
  explicit QueuedWork(std::shared_ptr<Completion> completion) : completion_(std::move(completion)) {}
  ~QueuedWork() override {
    if (waited_) return;
    try {
      completion_->wait();
    } catch (...) {  // nobody asked for the result, so nobody gets the error
    }
  }
  void wait() override {
    if (waited_) return;
    waited_ = true;
    completion_->wait();
  }

 private:
  std::shared_ptr<Completion> completion_;
  bool waited_ = false;
};

class DoneWork final : public Work {
 public:
  void wait() override {}
};

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(const MpiContext& mpi) : mpi_(mpi), threaded_(mpi.thread_multiple()) {
    SNIPE_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm_));
  }
  ~MpiCommunicator() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    MPI_Comm_free(&comm_);
  }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return mpi_.rank(); }
  int size() const override { return mpi_.size(); }
  int local_rank() const override { return mpi_.local_rank(); }
  std::string_view backend() const override { return "mpi"; }

 protected:
  std::unique_ptr<Work> start_allreduce(Buffer buffer, ReduceOp op) override {
    if (!threaded_) {
      reduce_now(buffer, op);
      return std::make_unique<DoneWork>();
    }
    auto completion = std::make_shared<Completion>();
    {
      std::lock_guard lock(mutex_);
      if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
      queue_.push_back({buffer, op, completion});
    }
    wake_.notify_all();
    return std::make_unique<QueuedWork>(std::move(completion));
  }

  void blocking_allreduce(Buffer buffer, ReduceOp op) override {
    drain();
    reduce_now(buffer, op);
  }

  void do_broadcast(Buffer buffer, int root) override {
    drain();
    staged(buffer, /*to_host=*/rank() == root, [&](void* host) {
      for_chunks(host, buffer.count, buffer.type, [&](void* data, int count) {
        SNIPE_MPI_CHECK(MPI_Bcast(data, count, mpi_type(buffer.type), root, comm_));
      });
    });
  }

  void do_barrier() override {
    drain();
    MPI_Request request = MPI_REQUEST_NULL;
    SNIPE_MPI_CHECK(MPI_Ibarrier(comm_, &request));
    auto pause = std::chrono::microseconds(20);
    for (int done = 0;;) {
      SNIPE_MPI_CHECK(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
      if (done) return;
      std::this_thread::sleep_for(pause);
      pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
    }
  }

  bool reaches(MemoryKind memory) const override { return memory == MemoryKind::kHost || cuda::built_with_cuda(); }

 private:
  struct Task {
    Buffer buffer;
    ReduceOp op;
    std::shared_ptr<Completion> completion;
  };

  // The blocking all-reduce. REQUIRES: no other thread is running a collective here.
  void reduce_now(Buffer buffer, ReduceOp op) {
    staged(buffer, /*to_host=*/true, [&](void* host) {
      for_chunks(host, buffer.count, buffer.type, [&](void* data, int count) {
        SNIPE_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, data, count, mpi_type(buffer.type), mpi_op(op), comm_));
      });
      if (op == ReduceOp::kAverage) divide(host, buffer.count, buffer.type, size());
    });
  }

  // Runs `body` on a host copy of `buffer`: the buffer itself in host memory; for CUDA
  // memory a pinned staging copy (filled from the device when `to_host`), copied back.
  template <class Body>
  void staged(Buffer buffer, bool to_host, const Body& body) {
    if (buffer.memory == MemoryKind::kHost) {
      body(buffer.data);
      return;
    }
    if (!staging_ || staging_->size() < buffer.bytes()) staging_ = std::make_unique<cuda::PinnedBuffer>(buffer.bytes());
    if (to_host) cuda::copy_to_host(staging_->data(), buffer.data, buffer.bytes(), buffer.cuda_stream);
    body(staging_->data());
    cuda::copy_to_device(buffer.data, staging_->data(), buffer.bytes(), buffer.cuda_stream);
  }

  // The worker thread: queued all-reduces, one at a time, in issue order.
  void work() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      Task task = queue_.front();
      queue_.pop_front();
      running_ = true;
      lock.unlock();
      std::exception_ptr error;
      try {
        reduce_now(task.buffer, task.op);
      } catch (...) {
        error = std::current_exception();
      }
      task.completion->finish(error);
      lock.lock();
      running_ = false;
      idle_.notify_all();
    }
  }

  // Returns once every queued all-reduce has finished.
  void drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return queue_.empty() && !running_; });
  }

  const MpiContext& mpi_;
  const bool threaded_;  // MPI_THREAD_MULTIPLE: the worker may call MPI
  MPI_Comm comm_ = MPI_COMM_NULL;

  std::mutex mutex_;
  std::condition_variable wake_;  // the worker waits for tasks or stopping_
  std::condition_variable idle_;  // drain() waits for an empty queue
  std::deque<Task> queue_;        // GUARDED_BY(mutex_)
  bool running_ = false;          // GUARDED_BY(mutex_): the worker is running a task
  bool stopping_ = false;         // GUARDED_BY(mutex_)
  std::thread worker_;            // started by the first asynchronous all-reduce
  // Used by whichever thread runs a collective; drain() keeps that to one at a time.
  std::unique_ptr<cuda::PinnedBuffer> staging_;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(const MpiContext& mpi) {
  return std::make_unique<MpiCommunicator>(mpi);
}

}  // namespace snipe::comm_detail
