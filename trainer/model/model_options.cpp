#include "trainer/model/model_options.h"

#include "shared/core/option_rule.h"

namespace snipe::trainer {

void validate_options(const ModelOptions& m, std::string_view origin) {
  require_option(m.candle_features >= 1, origin, "model.candle_features", m.candle_features, ">= 1");
  require_option(m.indicator_features >= 0, origin, "model.indicator_features", m.indicator_features, ">= 0");
  require_option(m.context_features >= 0, origin, "model.context_features", m.context_features, ">= 0");
  require_option(m.lstm1_hidden >= 1, origin, "model.lstm1_hidden", m.lstm1_hidden, ">= 1");
  require_option(m.lstm2_hidden >= 1, origin, "model.lstm2_hidden", m.lstm2_hidden, ">= 1");
  require_option(m.heads >= 1 && (2 * m.lstm2_hidden) % m.heads == 0, origin, "model.heads", m.heads,
                 fmt::format("a divisor of the attention width 2 * model.lstm2_hidden ({})", 2 * m.lstm2_hidden));
  require_option(m.attention_dropout >= 0.0 && m.attention_dropout < 1.0, origin, "model.attention_dropout",
                 m.attention_dropout, "in [0, 1)");
  require_option(m.context_hidden >= 1, origin, "model.context_hidden", m.context_hidden, ">= 1");
  require_option(m.head_hidden >= 1, origin, "model.head_hidden", m.head_hidden, ">= 1");
  require_option(m.head_dropout >= 0.0 && m.head_dropout < 1.0, origin, "model.head_dropout", m.head_dropout,
                 "in [0, 1)");
}

}  // namespace snipe::trainer
