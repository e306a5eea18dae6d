#include "trainer/train/tensor_buffer.h"

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe::trainer {
namespace {

DataType data_type(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat32: return DataType::kFloat32;
    case torch::kFloat64: return DataType::kFloat64;
    case torch::kInt32: return DataType::kInt32;
    case torch::kInt64: return DataType::kInt64;
    case torch::kUInt8: return DataType::kUint8;
    default:
      throw ConfigError(fmt::format("tensor_buffer: {} tensors cannot be reduced (float32, float64, int32, int64 "
                                    "or uint8)",
                                    c10::toString(t.scalar_type())));
  }
}

}  // namespace

Buffer tensor_buffer(const torch::Tensor& t) {
  if (!t.is_contiguous()) throw ConfigError("tensor_buffer: the tensor is not contiguous");
  if (!t.device().is_cpu() && !t.device().is_cuda()) {
    throw ConfigError(fmt::format("tensor_buffer: tensors on {} cannot be reduced (CPU or CUDA)", t.device().str()));
  }
  const bool cuda = t.device().is_cuda();
  return {.data = t.data_ptr(),
          .count = static_cast<std::size_t>(t.numel()),
          .type = data_type(t),
          .memory = cuda ? MemoryKind::kCuda : MemoryKind::kHost,
          .cuda_stream = cuda ? current_cuda_stream(t) : nullptr};
}

}  // namespace snipe::trainer
