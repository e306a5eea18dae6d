#pragma once
// One optimizer step of the attention-LSTM: forward through `logits`, the weighted loss
// (the mean over the batch), backward, the gradient hook (where data-parallel training
// averages the gradients over the ranks), clipping by global norm, the learning rate of
// this step, AdamW. Dropout draws from torch's generator seeded afresh each step from
// (train.seed, step, rank), so a resumed run, on any number of ranks, needs no generator
// state and each rank draws its own masks.
// Thread-safety: one thread drives a Trainer; the model must not be used concurrently.

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/optim/adamw.h>
#include <torch/script.h>

#include "trainer/data/scalers.h"
#include "trainer/data/window_loader.h"
#include "trainer/train/lr_schedule.h"
#include "trainer/train/train_options.h"

namespace snipe::trainer {

// What one step did. Losses are this batch's terms (see losses.h).
struct StepResult {
  double loss = 0;         // the weighted total
  double profitable = 0;   // class-weighted BCE
  double max_profit = 0;   // Huber
  double rug = 0;          // class-weighted BCE
  double lr = 0;           // the learning rate used
  double grad_norm = 0;    // global L2 norm before clipping
};

// Called after backward with the parameters whose .grad() hold this rank's gradients;
// a data-parallel run sums them over ranks here. Empty: one process.
using GradientHook = std::function<void(const std::vector<torch::Tensor>& parameters)>;

class Trainer {
 public:
  // `model` must outlive the Trainer. The optimizer covers every parameter of the model.
  // `rank` picks this rank's dropout stream.
  Trainer(torch::jit::Module& model, const TrainOptions& options, const LabelWeights& class_weights,
          const LrSchedule& schedule, GradientHook gradient_hook = {}, int rank = 0);

  // Trains on `batch` as global step `step` (0-based; picks the learning rate and the
  // dropout seed).
  StepResult step(Batch& batch, std::int64_t step);

  torch::optim::AdamW& optimizer() { return optimizer_; }
  const std::vector<torch::Tensor>& parameters() const { return parameters_; }

 private:
  void zero_gradients();

  torch::jit::Module& model_;
  TrainOptions options_;
  LabelWeights class_weights_;
  LrSchedule schedule_;
  GradientHook gradient_hook_;
  int rank_;
  std::vector<torch::Tensor> parameters_;  // the model's, in registration order
  torch::optim::AdamW optimizer_;
};

}  // namespace snipe::trainer
