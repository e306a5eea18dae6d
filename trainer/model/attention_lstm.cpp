#include "trainer/model/attention_lstm.h"

#include <cmath>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "trainer/model/model_options.h"
#include "shared/core/errors.h"
#include "trainer/model/lstm_kernel.h"

namespace snipe::trainer {
namespace {

// The TorchScript program, in two parts: the `bilstm` method (one of two kernels), then
// the rest. Parameter names use '_' because TorchScript cannot refer to attributes with
// '.'.
//
// torch.lstm takes the flat weights of both directions (w_ih, w_hh, b_ih, b_hh, then the
// _reverse set) and returns (output, h_n, c_n); arguments: has_biases, num_layers,
// dropout, train, bidirectional, batch_first.
constexpr const char* kTorchLstm = R"(
def bilstm(self, x, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor,
           w_ih_r: Tensor, w_hh_r: Tensor, b_ih_r: Tensor, b_hh_r: Tensor, hidden: int):
    h0 = torch.zeros([2, x.size(0), hidden], dtype=x.dtype, device=x.device)
    out = torch.lstm(x, [h0, h0], [w_ih, w_hh, b_ih, b_hh, w_ih_r, w_hh_r, b_ih_r, b_hh_r],
                     True, 1, 0.0, self.training, True, True)
    return out[0]
)";

// The same layer through snipe.bilstm (lstm_kernel.h): equal outputs, faster backward.
constexpr const char* kFusedLstm = R"(
def bilstm(self, x, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor,
           w_ih_r: Tensor, w_hh_r: Tensor, b_ih_r: Tensor, b_hh_r: Tensor, hidden: int):
    return snipe.bilstm(x, w_ih, w_hh, b_ih, b_hh, w_ih_r, w_hh_r, b_ih_r, b_hh_r)
)";

// The rest. Sizes are substituted by name ({h1}, {d}, ...).
constexpr const char* kProgram = R"(
def logits(self, candles, indicators, context):
    x = torch.cat([candles, indicators], 2)
    x1 = self.bilstm(x, self.lstm1_w_ih, self.lstm1_w_hh, self.lstm1_b_ih, self.lstm1_b_hh,
                     self.lstm1_w_ih_reverse, self.lstm1_w_hh_reverse, self.lstm1_b_ih_reverse,
                     self.lstm1_b_hh_reverse, {h1})
    x1 = torch.layer_norm(x1, [{h1x2}], self.ln1_w, self.ln1_b, 1e-5)
    x2 = self.bilstm(x1, self.lstm2_w_ih, self.lstm2_w_hh, self.lstm2_b_ih, self.lstm2_b_hh,
                     self.lstm2_w_ih_reverse, self.lstm2_w_hh_reverse, self.lstm2_b_ih_reverse,
                     self.lstm2_b_hh_reverse, {h2})
    x2 = torch.layer_norm(x2 + torch.linear(x1, self.residual_w, self.residual_b), [{d}],
                          self.ln2_w, self.ln2_b, 1e-5)
    b = x2.size(0)
    t = x2.size(1)
    q = torch.linear(x2, self.query_w, self.query_b).view(b, t, {heads}, {head_dim}).transpose(1, 2)
    k = torch.linear(x2, self.key_w).view(b, t, {heads}, {head_dim}).transpose(1, 2)
    v = torch.linear(x2, self.value_w, self.value_b).view(b, t, {heads}, {head_dim}).transpose(1, 2)
    weights = torch.softmax(torch.matmul(q, k.transpose(2, 3)) * {inv_sqrt_head_dim}, -1)
    weights = torch.dropout(weights, {attention_dropout}, self.training)
    attended = torch.matmul(weights, v).transpose(1, 2).reshape(b, t, {d})
    attended = torch.dropout(torch.linear(attended, self.out_w, self.out_b), {attention_dropout},
                             self.training)
    x3 = torch.layer_norm(x2 + attended, [{d}], self.ln3_w, self.ln3_b, 1e-5)
{pooling}
    c = torch.relu(torch.linear(context, self.context_w, self.context_b))
    h = torch.linear(torch.cat([pooled, c], 1), self.trunk_w, self.trunk_b)
    h = torch.relu(torch.layer_norm(h, [{hh}], self.ln4_w, self.ln4_b, 1e-5))
    h = torch.dropout(h, {head_dropout}, self.training)
    return (torch.linear(h, self.profitable_w, self.profitable_b).squeeze(1),
            torch.linear(h, self.max_profit_w, self.max_profit_b).squeeze(1),
            torch.linear(h, self.rug_w, self.rug_b).squeeze(1))

def forward(self, candles, indicators, context):
    profitable, max_profit, rug = self.logits(candles, indicators, context)
    return torch.sigmoid(profitable), max_profit, torch.sigmoid(rug)
)";

// Registers parameters with PyTorch's default initialisation.
class ParameterBuilder {
 public:
  explicit ParameterBuilder(torch::jit::Module& module) : module_(module) {}

  void uniform(const std::string& name, std::vector<std::int64_t> shape, std::int64_t fan_in) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    add(name, torch::empty(shape).uniform_(-bound, bound));
  }
  void linear(const std::string& name, std::int64_t in, std::int64_t out) {
    uniform(name + "_w", {out, in}, in);
    uniform(name + "_b", {out}, in);
  }
  void lstm(const std::string& name, std::int64_t in, std::int64_t hidden) {
    for (const char* direction : {"", "_reverse"}) {  // LSTM init: +-1/sqrt(hidden)
      uniform(name + "_w_ih" + direction, {4 * hidden, in}, hidden);
      uniform(name + "_w_hh" + direction, {4 * hidden, hidden}, hidden);
      uniform(name + "_b_ih" + direction, {4 * hidden}, hidden);
      uniform(name + "_b_hh" + direction, {4 * hidden}, hidden);
    }
  }
  void layer_norm(const std::string& name, std::int64_t size) {
    add(name + "_w", torch::ones({size}));
    add(name + "_b", torch::zeros({size}));
  }

 private:
  void add(const std::string& name, torch::Tensor value) {
    // register_parameter does not set requires_grad (notes/libtorch.md).
    module_.register_parameter(name, value.set_requires_grad(true), /*is_buffer=*/false);
  }
  torch::jit::Module& module_;
};

// A TorchScript float literal: shortest round-trip digits, always with a '.' or exponent
// (fmt prints 0.0 as "0", which TorchScript would read as an int).
std::string script_float(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

// The pooling lines of `logits`: x3 [B, T, D] -> pooled [B, D] or [B, 2D].
constexpr const char* kAttentionPooling = R"(    pool = torch.softmax(torch.matmul(x3, self.pool_query), 1)
    pooled = torch.sum(x3 * pool.unsqueeze(2), 1))";
constexpr const char* kMeanLastPooling = R"(    pooled = torch.cat([torch.mean(x3, 1), x3[:, -1]], 1))";

std::string program(const ModelOptions& o) {
  const std::int64_t d = 2 * o.lstm2_hidden;
  const std::int64_t head_dim = d / o.heads;
  return fmt::format(kProgram, fmt::arg("h1", o.lstm1_hidden), fmt::arg("h1x2", 2 * o.lstm1_hidden),
                     fmt::arg("h2", o.lstm2_hidden), fmt::arg("d", d), fmt::arg("heads", o.heads),
                     fmt::arg("head_dim", head_dim),
                     fmt::arg("inv_sqrt_head_dim", script_float(1.0 / std::sqrt(static_cast<double>(head_dim)))),
                     fmt::arg("attention_dropout", script_float(o.attention_dropout)),
                     fmt::arg("hh", o.head_hidden), fmt::arg("head_dropout", script_float(o.head_dropout)),
                     fmt::arg("pooling", o.pooling == Pooling::kAttention ? kAttentionPooling : kMeanLastPooling));
}

}  // namespace

torch::jit::Module build_attention_lstm(const ModelOptions& o, std::uint64_t seed, LstmKernel kernel) {
  validate_options(o, "model options");
  torch::manual_seed(seed);
  torch::jit::Module module("SnipeAttentionLstm");
  module.register_attribute("training", c10::BoolType::get(), true);  // read by dropout and lstm
  const std::int64_t d = 2 * o.lstm2_hidden;
  ParameterBuilder p(module);
  p.lstm("lstm1", o.candle_features + o.indicator_features, o.lstm1_hidden);
  p.layer_norm("ln1", 2 * o.lstm1_hidden);
  p.lstm("lstm2", 2 * o.lstm1_hidden, o.lstm2_hidden);
  p.linear("residual", 2 * o.lstm1_hidden, d);  // learned projection, not a slice of x1
  p.layer_norm("ln2", d);
  // No key bias: it adds q . b to every score of a query's row, which the softmax cancels;
  // its gradient is zero up to rounding, which Adam would turn into full-size steps.
  p.linear("query", d, d);
  p.uniform("key_w", {d, d}, d);
  p.linear("value", d, d);
  p.linear("out", d, d);
  p.layer_norm("ln3", d);
  const bool attention_pooling = o.pooling == Pooling::kAttention;
  if (attention_pooling) p.uniform("pool_query", {d}, d);
  p.linear("context", o.context_features, o.context_hidden);
  p.linear("trunk", (attention_pooling ? d : 2 * d) + o.context_hidden, o.head_hidden);
  p.layer_norm("ln4", o.head_hidden);
  for (const char* head : {"profitable", "max_profit", "rug"}) p.linear(head, o.head_hidden, 1);
  const torch::jit::ResolverPtr resolver = snipe_ops_resolver();
  module.define(kernel == LstmKernel::kFused ? kFusedLstm : kTorchLstm, resolver);
  module.define(program(o), resolver);
  return module;
}

torch::jit::Module portable_attention_lstm(const torch::jit::Module& model, const ModelOptions& options) {
  // Building seeds the global generator, which dropout draws from: keep the caller's state.
  auto generator = at::detail::getDefaultCPUGenerator();
  torch::Tensor rng_state;
  {
    const std::lock_guard<std::mutex> lock(generator.mutex());
    rng_state = generator.get_state();
  }
  torch::jit::Module portable = build_attention_lstm(options, 0, LstmKernel::kTorch);
  {
    const std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng_state);
  }
  const torch::NoGradGuard no_grad;
  for (const auto& named : model.named_parameters()) {
    torch::Tensor target = portable.attr(named.name).toTensor();
    if (target.sizes() != named.value.sizes()) {
      throw ConfigError(fmt::format("portable_attention_lstm: parameter {} is {} in the model but {} for these "
                                    "options; pass the options the model was built with",
                                    named.name, named.value.sizes(), target.sizes()));
    }
    target.copy_(named.value);
  }
  portable.train(model.is_training());
  return portable;
}

std::vector<torch::Tensor> trainable_parameters(const torch::jit::Module& module) {
  std::vector<torch::Tensor> parameters;
  for (const torch::Tensor& parameter : module.parameters()) parameters.push_back(parameter);
  return parameters;
}

}  // namespace snipe::trainer
