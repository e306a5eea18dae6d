// current_cuda_stream() where LibTorch has no CUDA: no tensor can be on a CUDA device.

#include "shared/core/errors.h"
#include "trainer/train/tensor_buffer.h"

namespace snipe::trainer {

void* current_cuda_stream(const torch::Tensor& tensor) {
  if (!tensor.device().is_cuda()) return nullptr;
  throw ConfigError("a CUDA tensor in a build whose LibTorch has no CUDA; HINT: configure with a CUDA LibTorch on "
                    "CMAKE_PREFIX_PATH (SNIPE_WITH_CUDA)");
}

}  // namespace snipe::trainer
