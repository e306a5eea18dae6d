// CUDA-only: device_memory.h over the CUDA runtime, and the CUDA and NCCL checks.

#include "shared/comm/device_memory.h"

#include <stdexcept>

#include <fmt/format.h>

#include "shared/comm/communicator.h"
#include "shared/comm/cuda/cuda_check.h"
#include "shared/mpi/mpi_context.h"

namespace snipe::cuda {

void check_cuda(cudaError_t code, const char* expression, const char* file, int line) {
  if (code == cudaSuccess) return;
  throw CommError(fmt::format("{} failed: {} ({}) ({}:{}, {})", expression, cudaGetErrorString(code),
                              cudaGetErrorName(code), file, line, process_location()));
}

void check_nccl(ncclResult_t code, const char* expression, const char* file, int line) {
  if (code == ncclSuccess) return;
  const std::string message = fmt::format("{} failed: {} ({}:{}, {})", expression, ncclGetErrorString(code), file,
                                          line, process_location());
  switch (code) {
    case ncclInvalidArgument:
    case ncclInvalidUsage: throw std::logic_error(message);
    case ncclUnhandledCudaError:
      throw CommError(message + fmt::format("; CUDA says: {}", cudaGetErrorString(cudaGetLastError())));
    case ncclSystemError:
    case ncclRemoteError:
      throw CommError(message + "; HINT: a peer died or the network failed; rerun with NCCL_DEBUG=WARN, and check "
                                "NCCL_SOCKET_IFNAME on multi-node jobs");
    default: throw CommError(message + "; HINT: rerun with NCCL_DEBUG=INFO for NCCL's own account");
  }
}

bool built_with_cuda() { return true; }

int device_count(std::string* why) {
  int count = 0;
  const cudaError_t code = cudaGetDeviceCount(&count);
  if (code != cudaSuccess) {
    if (why != nullptr) *why = fmt::format("{} ({})", cudaGetErrorString(code), cudaGetErrorName(code));
    cudaGetLastError();  // clear the sticky error of a failed query
    return 0;
  }
  if (count == 0 && why != nullptr) *why = "the CUDA runtime sees no device";
  return count;
}

std::string device_name(int device) {
  cudaDeviceProp properties{};
  SNIPE_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  return properties.name;
}

void set_device(int device) { SNIPE_CUDA_CHECK(cudaSetDevice(device)); }

PinnedBuffer::PinnedBuffer(std::size_t bytes) : bytes_(bytes) { SNIPE_CUDA_CHECK(cudaMallocHost(&data_, bytes)); }
PinnedBuffer::~PinnedBuffer() { cudaFreeHost(data_); }

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) { SNIPE_CUDA_CHECK(cudaMalloc(&data_, bytes)); }
DeviceBuffer::~DeviceBuffer() { cudaFree(data_); }

void copy_to_host(void* host, const void* device, std::size_t bytes, void* stream) {
  const auto s = static_cast<cudaStream_t>(stream);
  SNIPE_CUDA_CHECK(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, s));
  SNIPE_CUDA_CHECK(cudaStreamSynchronize(s));
}

void copy_to_device(void* device, const void* host, std::size_t bytes, void* stream) {
  const auto s = static_cast<cudaStream_t>(stream);
  SNIPE_CUDA_CHECK(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, s));
  SNIPE_CUDA_CHECK(cudaStreamSynchronize(s));
}

}  // namespace snipe::cuda
