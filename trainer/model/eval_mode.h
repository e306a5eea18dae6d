#pragma once
// Puts a TorchScript module in eval mode for a scope and back into the mode it was in
// (dropout off while evaluating or saving, whatever the caller was doing).

#include <torch/script.h>

namespace snipe::trainer {

class EvalMode {
 public:
  explicit EvalMode(torch::jit::Module& model) : model_(model), was_training_(model.is_training()) { model_.eval(); }
  ~EvalMode() { model_.train(was_training_); }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;

 private:
  torch::jit::Module& model_;
  bool was_training_;
};

}  // namespace snipe::trainer
