// device_memory.h for builds without the CUDA runtime: no devices, and a hint for
// anything that needs one.

#include "shared/comm/device_memory.h"

#include "shared/core/errors.h"

namespace snipe::cuda {
namespace {

[[noreturn]] void no_cuda(const char* what) {
  throw ConfigError(std::string(what) +
                    ": this snipe was built without the CUDA runtime; HINT: configure on a machine with CUDA and "
                    "NCCL under /usr/local/cuda (or CUDAToolkit_ROOT and NCCL_ROOT)");
}

}  // namespace

bool built_with_cuda() { return false; }

int device_count(std::string* why) {
  if (why != nullptr) *why = "this snipe was built without the CUDA runtime";
  return 0;
}

std::string device_name(int) { no_cuda("device_name"); }
void set_device(int) { no_cuda("set_device"); }

PinnedBuffer::PinnedBuffer(std::size_t) { no_cuda("pinned host memory"); }
PinnedBuffer::~PinnedBuffer() = default;
DeviceBuffer::DeviceBuffer(std::size_t) { no_cuda("device memory"); }
DeviceBuffer::~DeviceBuffer() = default;

void copy_to_host(void*, const void*, std::size_t, void*) { no_cuda("copy from a CUDA device"); }
void copy_to_device(void*, const void*, std::size_t, void*) { no_cuda("copy to a CUDA device"); }

}  // namespace snipe::cuda
