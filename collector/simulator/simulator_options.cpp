#include "collector/simulator/simulator_options.h"

#include <fmt/format.h>

#include "shared/core/option_rule.h"

namespace snipe::collector::simulator {

void validate_options(const SimulatorOptions& s, std::string_view origin) {
  require_option(s.tokens >= 1, origin, "synthetic.tokens", s.tokens, ">= 1");
  require_option(static_cast<std::size_t>(s.preset) < kPresetCount, origin, "synthetic.preset",
                 static_cast<int>(s.preset), fmt::format("a Preset in 0..{}", kPresetCount - 1));
  require_option(s.min_candles >= 1, origin, "synthetic.min_candles", s.min_candles, ">= 1");
  require_option(s.max_candles >= s.min_candles, origin, "synthetic.max_candles", s.max_candles,
                 fmt::format(">= synthetic.min_candles ({})", s.min_candles));
  require_option(s.interval_s > 0, origin, "synthetic.interval_s", s.interval_s,
                 "> 0 (seconds; the config copies validation.interval_s into it)");
  require_option(s.start_timestamp > 0, origin, "synthetic.start_timestamp", s.start_timestamp,
                 "> 0 (Unix seconds)");
  require_option(s.end_timestamp == 0 || s.end_timestamp > s.start_timestamp, origin, "synthetic.end_timestamp",
                 s.end_timestamp, "0 (no cut) or after synthetic.start_timestamp");
}

}  // namespace snipe::collector::simulator
