#pragma once
// CUDA-only: checks for CUDA runtime and NCCL calls. A failure throws CommError naming
// the expression, the error, file, line, host and rank; NCCL's usage errors (a bug in the
// caller, not the system) throw std::logic_error with the same context.

#include <cuda_runtime_api.h>
#include <nccl.h>

#define SNIPE_CUDA_CHECK(expr) ::snipe::cuda::check_cuda((expr), #expr, __FILE__, __LINE__)
#define SNIPE_NCCL_CHECK(expr) ::snipe::cuda::check_nccl((expr), #expr, __FILE__, __LINE__)

namespace snipe::cuda {

void check_cuda(cudaError_t code, const char* expression, const char* file, int line);
void check_nccl(ncclResult_t code, const char* expression, const char* file, int line);

}  // namespace snipe::cuda
