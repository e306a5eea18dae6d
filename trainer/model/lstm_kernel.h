#pragma once
// A bidirectional one-layer LSTM for training, with a hand-written backward pass, callable
// from TorchScript as snipe.bilstm (see snipe_ops_resolver).
//
//   bilstm(x [B, T, I], w_ih [4H, I], w_hh [4H, H], b_ih [4H], b_hh [4H],
//          w_ih_r, w_hh_r, b_ih_r, b_hh_r) -> [B, T, 2H]
//
// Same semantics, gate order (i, f, g, o) and forward arithmetic as
// torch.lstm(x, zeros, weights, has_biases, 1 layer, no dropout, bidirectional,
// batch_first)[0] of LibTorch/PyTorch 1.13 on CPU: the forward pass computes the same
// values bit for bit (tested), so a model trained with this kernel is exported with
// torch.lstm (which Python and the bot load without this library) and gives the same
// outputs. (A later PyTorch may route CPU torch.lstm through oneDNN: equal to rounding.)
//
// Why: autograd through torch.lstm's per-step cell records ~15 small ops per step and
// multiplies small matrices per step for the weight gradients. This backward pass fuses
// the cell's elementwise gradient into one loop per step, keeps only the recurrent
// product dh = dgates W_hh in the time loop, and computes dW_ih, dW_hh, db and dx after
// it as single large matrix products over all T x B rows (benchmarks/bench_train.cpp).
// Float32 CPU tensors of the shapes above only (checked).

#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/types.h>

namespace snipe::trainer {

// Autograd-aware C++ entry point (what the TorchScript op calls).
torch::Tensor bilstm(const torch::Tensor& x, const torch::Tensor& w_ih, const torch::Tensor& w_hh,
                     const torch::Tensor& b_ih, const torch::Tensor& b_hh, const torch::Tensor& w_ih_r,
                     const torch::Tensor& w_hh_r, const torch::Tensor& b_ih_r, const torch::Tensor& b_hh_r);

// The resolver under which TorchScript source given to Module::define can call the op as
// snipe.bilstm(...) (the C++ compiler's default resolver knows only `torch`). The op is
// registered when this library's unit is loaded; calling this keeps the unit linked.
torch::jit::ResolverPtr snipe_ops_resolver();

}  // namespace snipe::trainer
