#pragma once
// Data-parallel gradients: every parameter's .grad() is a view into one flat buffer, and
// after backward the buffer is summed over all ranks in one fused all-reduce. The loss is
// already divided by the examples of the global batch (losses.h), so the sum of the
// ranks' gradients is the gradient of the global batch's mean loss: every rank then
// clips and steps identically.
// Thread-safety: the training thread only; every rank must reduce at the same steps.

#include <vector>

#include <torch/types.h>

#include "shared/comm/communicator.h"
#include "trainer/train/trainer.h"

namespace snipe::trainer {

class GradientReducer {
 public:
  // Points each parameter's gradient into the flat buffer (zeroed); `parameters` must be
  // float32 and outlive the reducer, `comm` too. Autograd then accumulates in place.
  GradientReducer(const std::vector<torch::Tensor>& parameters, Communicator& comm);

  // Sums the flat buffer over every rank (a no-op in a job of one rank).
  void reduce();
  // reduce() as the Trainer's gradient hook.
  GradientHook hook();

  const torch::Tensor& flat() const { return flat_; }

 private:
  torch::Tensor flat_;  // [sum of numel], the gradients of every parameter
  Communicator& comm_;
};

// Copies rank `root`'s parameter values to every rank (one broadcast per tensor), so the
// ranks start from identical weights whatever their generators did.
void broadcast_parameters(const std::vector<torch::Tensor>& parameters, Communicator& comm, int root = 0);

}  // namespace snipe::trainer
