#pragma once
// The few CUDA runtime services the communicators need: device discovery, pinned host
// memory and copies between device and host. Two implementations, chosen by the build
// (shared/CMakeLists.txt): cuda/device_memory.cpp over the CUDA runtime where it is
// found (SNIPE_WITH_NCCL), stub/device_memory.cpp otherwise, which reports no devices and
// refuses everything else with a hint. Nothing outside those two files includes a CUDA
// header.
// Thread-safety: every function may be called from any thread.

#include <cstddef>
#include <memory>
#include <string>

namespace snipe::cuda {

// Whether this build can call CUDA at all.
bool built_with_cuda();

// CUDA devices visible to this process; 0 without a driver or device (the reason in
// `why`, when given).
int device_count(std::string* why = nullptr);
// "NVIDIA H100 80GB HBM3"; throws CommError.
std::string device_name(int device);
// Makes `device` current for this thread; throws CommError.
void set_device(int device);

// Page-locked host memory, for fast staging copies.
class PinnedBuffer {
 public:
  // Throws CommError when the allocation fails.
  explicit PinnedBuffer(std::size_t bytes);
  ~PinnedBuffer();
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  void* data() const { return data_; }
  std::size_t size() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// Device memory of the current device (tests, benchmarks).
class DeviceBuffer {
 public:
  // Throws CommError when the allocation fails.
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return data_; }
  std::size_t size() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// Copies `bytes` between device and host memory, ordered after the work on `stream` (a
// cudaStream_t; nullptr: the default stream), and returns when the copy is done.
// Throws CommError.
void copy_to_host(void* host, const void* device, std::size_t bytes, void* stream);
void copy_to_device(void* device, const void* host, std::size_t bytes, void* stream);

}  // namespace snipe::cuda
