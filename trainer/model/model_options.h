#pragma once
// Sizes of the attention-LSTM ([model] in the config). Plain data, free of LibTorch, so
// the config and the command line can hold it without compiling torch headers.

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/core/errors.h"

namespace snipe::trainer {

// How the attention output [B, T, D] becomes one vector per example.
enum class Pooling {
  kAttention,  // softmax over T of x . q (a learned query), weighted sum -> [B, D]
  kMeanLast,   // [mean over T, the last step] -> [B, 2D]
};

inline std::string_view pooling_name(Pooling pooling) {
  return pooling == Pooling::kAttention ? "attention" : "mean_last";
}
// "attention" | "mean_last"; throws ConfigError.
inline Pooling parse_pooling(std::string_view name) {
  if (name == "attention") return Pooling::kAttention;
  if (name == "mean_last") return Pooling::kMeanLast;
  throw ConfigError("unknown pooling '" + std::string(name) + "': use attention or mean_last");
}

struct ModelOptions {
  std::int64_t candle_features = 5;      // Fc: fixed by the data set, not configurable
  std::int64_t indicator_features = 19;  // Fi: fixed by the data set, not configurable
  std::int64_t context_features = 12;    // Fx (values + masks): fixed by the data set
  std::int64_t lstm1_hidden = 128;       // h1, per direction
  std::int64_t lstm2_hidden = 64;        // h2, per direction; attention width D = 2 h2
  std::int64_t heads = 4;                // attention heads; D % heads == 0
  double attention_dropout = 0.1;        // on the attention weights and its output
  Pooling pooling = Pooling::kAttention;  // over T, after the attention block
  std::int64_t context_hidden = 32;      // Ch
  std::int64_t head_hidden = 64;         // Hh
  double head_dropout = 0.2;             // before the three heads
};

// The [model] rules (sizes >= 1, heads divides 2 * lstm2_hidden, dropouts in [0, 1)),
// also for options that did not come through a config (tests, benchmarks). Messages read
// "origin: model.<field> = value must be <rule>". Throws ConfigError.
void validate_options(const ModelOptions& options, std::string_view origin);

}  // namespace snipe::trainer
