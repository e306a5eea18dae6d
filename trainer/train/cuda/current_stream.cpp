// CUDA-only (SNIPE_WITH_CUDA): the current stream of a CUDA tensor's device, from
// LibTorch's stream registry.

#include <c10/cuda/CUDAStream.h>

#include "trainer/train/tensor_buffer.h"

namespace snipe::trainer {

void* current_cuda_stream(const torch::Tensor& tensor) {
  if (!tensor.device().is_cuda()) return nullptr;
  return c10::cuda::getCurrentCUDAStream(tensor.device().index()).stream();
}

}  // namespace snipe::trainer
