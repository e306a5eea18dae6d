#pragma once
// The bridge from LibTorch tensors to the communicators' buffers: element type, memory
// kind and, for CUDA tensors, the current CUDA stream of the tensor's device (so a
// collective starts after the kernels that produce the tensor). The stream comes from
// cuda/current_stream.cpp where LibTorch has CUDA (SNIPE_WITH_CUDA), from
// stub/current_stream.cpp otherwise.

#include <torch/types.h>

#include "shared/comm/communicator.h"

namespace snipe::trainer {

// A view of `tensor`'s elements. REQUIRES: contiguous; float32, float64, int32, int64 or
// uint8; `tensor` outlives every use of the buffer. Throws ConfigError otherwise.
Buffer tensor_buffer(const torch::Tensor& tensor);

// The current cudaStream_t of `tensor`'s CUDA device (nullptr for CPU tensors). Throws
// ConfigError for a CUDA tensor in a build whose LibTorch has no CUDA.
void* current_cuda_stream(const torch::Tensor& tensor);

}  // namespace snipe::trainer
