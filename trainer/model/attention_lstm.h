#pragma once
// The attention-LSTM as a TorchScript module built in C++: parameters registered on a
// torch::jit::Module and the forward pass given as TorchScript source (notes/libtorch.md:
// LibTorch cannot script a C++ nn::Module). The module that trains is the module that is
// exported, so there is no second copy to keep in sync.
//
//   candles [B, T, Fc] ++ indicators [B, T, Fi] -> x [B, T, Fc + Fi]
//   BiLSTM(h1) -> LayerNorm                                   -> x1 [B, T, 2 h1]
//   BiLSTM(h2) + Linear(x1) (learned residual) -> LayerNorm   -> x2 [B, T, 2 h2 = D]
//   multi-head scaled dot-product self-attention (Q, K, V, O projections; K has no
//     bias, which the softmax would cancel; dropout)
//     + residual -> LayerNorm                                 -> x3 [B, T, D]
//   attention pooling over T (learned query)                  -> p  [B, D]
//   context [B, Fx] -> Linear -> ReLU                         -> c  [B, Ch]
//   [p, c] -> Linear -> LayerNorm -> ReLU -> dropout          -> h  [B, Hh]
//   three heads: profitable (logit), max_profit, rug (logit)  -> 3 x [B]
//
// Methods: logits(candles, indicators, context) for training; forward(...) for the bot:
// the same with sigmoid applied to both binary heads. A `training` attribute switches
// dropout (module.train() / module.eval()).

#include <cstdint>

#include <torch/script.h>

#include "trainer/model/model_options.h"

namespace snipe::trainer {

// How the two BiLSTMs run. Both compute the same forward values bit for bit.
enum class LstmKernel {
  kFused,  // snipe.bilstm (lstm_kernel.h): faster training; needs this library to load
  kTorch,  // torch.lstm: loads wherever LibTorch or PyTorch does (the export)
};

// A fresh module with PyTorch's default initialisation (uniform +-1/sqrt(fan_in) for
// linear and LSTM weights, LayerNorm 1 and 0), drawn from torch's generator seeded with
// `seed`. Every parameter requires grad; the module starts in training mode.
// Throws ConfigError (trainer::validate_options) when the sizes do not fit together.
torch::jit::Module build_attention_lstm(const ModelOptions& options, std::uint64_t seed,
                                       LstmKernel kernel = LstmKernel::kFused);

// A copy of `model` (built with `options`) whose LSTMs run torch.lstm: the module to
// export, loadable by torch::jit::load and Python's torch.jit.load without snipe. Same
// parameters (copied), same mode, same outputs. Throws ConfigError when the shapes differ.
torch::jit::Module portable_attention_lstm(const torch::jit::Module& model, const ModelOptions& options);

// The module's trainable parameters, in registration order (for the optimizer).
std::vector<torch::Tensor> trainable_parameters(const torch::jit::Module& module);

}  // namespace snipe::trainer
