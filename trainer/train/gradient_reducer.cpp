#include "trainer/train/gradient_reducer.h"

#include <torch/torch.h>

namespace snipe::trainer {
namespace {

Buffer buffer_of(torch::Tensor& t) {
  TORCH_CHECK(t.scalar_type() == torch::kFloat32 && t.is_contiguous() && t.device().is_cpu(),
              "gradient reducer: float32 contiguous CPU tensors only");
  return {t.data_ptr<float>(), static_cast<std::size_t>(t.numel()), DataType::kFloat32};
}

}  // namespace

GradientReducer::GradientReducer(const std::vector<torch::Tensor>& parameters, Communicator& comm) : comm_(comm) {
  std::int64_t total = 0;
  for (const auto& p : parameters) total += p.numel();
  flat_ = torch::zeros({total});
  const torch::NoGradGuard no_grad;
  std::int64_t offset = 0;
  for (const auto& p : parameters) {
    TORCH_CHECK(p.scalar_type() == torch::kFloat32, "gradient reducer: float32 parameters only");
    torch::Tensor parameter = p;  // shares the TensorImpl: mutable_grad() sets the parameter's grad
    parameter.mutable_grad() = flat_.narrow(0, offset, p.numel()).view(p.sizes());
    offset += p.numel();
  }
}

void GradientReducer::reduce() {
  if (comm_.size() > 1) comm_.allreduce(buffer_of(flat_), ReduceOp::kSum);
}

GradientHook GradientReducer::hook() {
  return [this](const std::vector<torch::Tensor>&) { reduce(); };
}

void broadcast_parameters(const std::vector<torch::Tensor>& parameters, Communicator& comm, int root) {
  if (comm.size() == 1) return;
  const torch::NoGradGuard no_grad;
  for (const auto& p : parameters) {
    torch::Tensor values = p.detach();  // same storage
    comm.broadcast(buffer_of(values), root);
  }
}

}  // namespace snipe::trainer
