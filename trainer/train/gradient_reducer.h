#pragma once
// Data-parallel gradients. Every parameter's .grad() is a view into one flat buffer, laid
// out in reverse registration order (the order backward produces them), and the buffer
// is averaged over the ranks:
//   fused (bucket_mb = 0, the default)  one all-reduce of the whole buffer after backward;
//                                       best for this model (~1.7 MB of gradients)
//   bucketed (bucket_mb > 0)            the buffer cut into buckets of about bucket_mb MB
//                                       (whole parameters, the same cut on every rank);
//                                       autograd hooks start a bucket's all-reduce as soon
//                                       as all its gradients are ready, overlapping the
//                                       rest of backward; reduce() waits for them all
// Buckets are started in index order on every rank whatever order their gradients arrive
// in, so the ranks' collectives always match. Each rank's loss is the mean over its own
// batch and the ranks' batches are equally large (the distributed sampler), so the average
// is the gradient of the global batch's mean loss: every rank then clips and steps alike.
// Thread-safety: the hooks run on autograd's threads during backward; reduce() on the
// training thread after backward returned. One backward at a time.

#include <memory>
#include <vector>

#include <torch/types.h>

#include "shared/comm/communicator.h"
#include "trainer/train/trainer.h"

namespace snipe::trainer {

class GradientReducer {
 public:
  // Points each parameter's gradient into the flat buffer (zeroed); autograd then
  // accumulates in place. `parameters` must be float32 on one device; `comm` must outlive
  // the reducer.
  GradientReducer(const std::vector<torch::Tensor>& parameters, Communicator& comm, double bucket_mb = 0);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // Averages the gradients over every rank (returns once they hold the result): starts
  // the buckets not started yet, waits for all. A no-op in a job of one rank.
  void reduce();
  // reduce() as the Trainer's gradient hook.
  GradientHook hook();

  const torch::Tensor& flat() const { return flat_; }
  std::size_t buckets() const;

  struct State;  // internal: the buckets, shared with the hooks

 private:
  torch::Tensor flat_;  // [sum of numel]: the gradients, last parameter first
  Communicator& comm_;
  std::shared_ptr<State> state_;  // shared with the autograd hooks, which hold it weakly
};

// Copies rank `root`'s values of `tensors` to every rank, so the ranks start from
// identical weights whatever their generators did.
void broadcast_tensors(const std::vector<torch::Tensor>& tensors, Communicator& comm, int root = 0);

}  // namespace snipe::trainer
