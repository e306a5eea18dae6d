#include "trainer/model/model_flops.h"

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe::trainer {
namespace {

// FLOPs of y = W x for one input vector: W is [out, in].
double linear_flops(std::int64_t in, std::int64_t out) {
  return 2.0 * static_cast<double>(in) * static_cast<double>(out);
}

// A bidirectional LSTM layer over T steps: per direction and step, the four gates
// [4h] come from W_ih [4h, I] x_t and W_hh [4h, h] h_{t-1}.
double bilstm_flops(std::int64_t input, std::int64_t hidden, std::int64_t window) {
  const double per_step = linear_flops(input, 4 * hidden) + linear_flops(hidden, 4 * hidden);
  return 2.0 * static_cast<double>(window) * per_step;
}

// Multi-head self-attention over T steps of width D: four D x D projections per step,
// then per head Q K^T ([T, D/h] x [D/h, T]) and weights x V ([T, T] x [T, D/h]); summed
// over the heads each of the two is T^2 D multiply-adds.
double attention_flops(std::int64_t width, std::int64_t window) {
  const double t = static_cast<double>(window);
  const double d = static_cast<double>(width);
  return 4.0 * t * linear_flops(width, width) + 2.0 * (2.0 * t * t * d);
}

void require_at_least(std::int64_t value, std::int64_t least, const char* name) {
  if (value < least) throw ConfigError(fmt::format("model FLOPs: {} = {} must be >= {}", name, value, least));
}

void require_sizes(const ModelOptions& o, std::int64_t window) {
  require_at_least(o.candle_features, 1, "model.candle_features");
  require_at_least(o.indicator_features, 0, "model.indicator_features");
  require_at_least(o.context_features, 1, "model.context_features");
  require_at_least(o.lstm1_hidden, 1, "model.lstm1_hidden");
  require_at_least(o.lstm2_hidden, 1, "model.lstm2_hidden");
  require_at_least(o.heads, 1, "model.heads");
  require_at_least(o.context_hidden, 1, "model.context_hidden");
  require_at_least(o.head_hidden, 1, "model.head_hidden");
  require_at_least(window, 1, "window");
}

}  // namespace

double forward_flops_per_example(const ModelOptions& o, std::int64_t window) {
  require_sizes(o, window);
  const double t = static_cast<double>(window);
  const std::int64_t d = 2 * o.lstm2_hidden;  // attention width D
  double flops = bilstm_flops(o.candle_features + o.indicator_features, o.lstm1_hidden, window);
  flops += bilstm_flops(2 * o.lstm1_hidden, o.lstm2_hidden, window);
  flops += t * linear_flops(2 * o.lstm1_hidden, d);  // residual projection
  flops += attention_flops(d, window);
  const bool attention_pooling = o.pooling == Pooling::kAttention;
  if (attention_pooling) flops += t * linear_flops(d, 1);  // pooling scores: x3 [T, D] x query [D]
  flops += linear_flops(o.context_features, o.context_hidden);
  flops += linear_flops((attention_pooling ? d : 2 * d) + o.context_hidden, o.head_hidden);  // trunk
  flops += 3.0 * linear_flops(o.head_hidden, 1);               // three heads
  return flops;
}

double training_flops_per_example(const ModelOptions& o, std::int64_t window) {
  return 3.0 * forward_flops_per_example(o, window);
}

}  // namespace snipe::trainer
