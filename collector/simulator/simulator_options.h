#pragma once
// The simulator's settings ([synthetic] in the config) and their one validator. Plain
// data, apart from the simulator, so the config layer can hold them.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collector/simulator/market_preset.h"

namespace snipe::collector::simulator {

struct SimulatorOptions {
  std::uint64_t seed = 42;                    // master seed; token i draws from hash(seed, i)
  std::size_t tokens = 64;                    // tokens in the universe: sim-000000 .. tokens-1
  Preset preset = Preset::kDefault;           // the market's behaviour (market_preset.h)
  std::size_t min_candles = 288;              // shortest full lifetime, bars (288 = 1 day of 5 min)
  std::size_t max_candles = 864;              // longest full lifetime, bars (864 = 3 days); a
                                              // preset may draw from the lower part only
  std::int64_t start_timestamp = 1767225600;  // 2026-01-01T00:00:00Z; launches spread after it
  std::int64_t interval_s = 300;              // bar spacing, seconds: not a key, the data set's
                                              // validation.interval_s is copied in
  std::int64_t end_timestamp = 0;             // 0: none; else bars opening after it are cut off
};

// Every rule of the options, each checked here only (the config and SyntheticSource both
// call it): tokens >= 1, a known preset, 1 <= min_candles <= max_candles, interval_s > 0,
// start_timestamp > 0, end_timestamp 0 or after the start. Messages read
// "origin: synthetic.<field> = value must be <rule>". Throws ConfigError.
void validate_options(const SimulatorOptions& options, std::string_view origin);

}  // namespace snipe::collector::simulator
