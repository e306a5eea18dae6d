#pragma once
// Floating-point work of the attention-LSTM (trainer/model/attention_lstm.h), for
// throughput reports (achieved GFLOP/s = examples/s x FLOPs per example) and for
// comparing the training step with the machine's sgemm rate.
//
// Convention: a multiply-add counts as 2 FLOPs, and only the matrix products are counted:
//   both LSTMs, both directions: input (4h x I) and recurrent (4h x h) GEMMs per step,
//   the residual projection, the Q, K, V and O projections, Q K^T and weights x V
//   (summed over heads: the head count does not change the work), the pooling scores
//   (x3 against the learned query), the context, trunk and three head linears.
// Ignored as elementwise or lower order: LSTM gate nonlinearities and bias adds,
// LayerNorm, softmax, dropout, ReLU, sigmoid, the pooled weighted sum (the program
// writes it as a product and a sum over T, 2 T D FLOPs), concatenations and the losses.
// Counts are exact integers carried in a double; they depend on the window length T
// (quadratically, through the attention) but not on the batch size.

#include <cstdint>

#include "trainer/model/model_options.h"

namespace snipe::trainer {

// FLOPs of one example's forward pass over a window of `window` time steps.
// REQUIRES: every size in `options` >= 1 (indicator_features >= 0), window >= 1;
// throws ConfigError naming the value otherwise.
double forward_flops_per_example(const ModelOptions& options, std::int64_t window);

// FLOPs of one example's training step: 3 x the forward pass, the usual convention
// (the backward pass computes two products per forward product, one for the input
// gradient and one for the weight gradient). The optimizer update is not counted.
double training_flops_per_example(const ModelOptions& options, std::int64_t window);

}  // namespace snipe::trainer
