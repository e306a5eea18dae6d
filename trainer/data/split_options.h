#pragma once
// How examples are split into train, validation and test ([split] in the config). Plain
// data with no heavy includes, so the config can hold it.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace snipe::trainer {

// Time-ordered split per token with purge and embargo (no leakage between splits).
struct SplitOptions {
  double train_fraction = 0.70;  // of each token's example rows, oldest first
  double val_fraction = 0.15;    // next; the rest is test
  std::size_t window = 100;      // T: rows an example's window reaches back (end_row - T + 1 ..)
  std::size_t embargo = 12;      // candles dropped after each boundary, beyond the purge
  bool whole_tokens = false;     // true: tokens (not time) are split; a token is on one side
  std::uint64_t seed = 42;       // token assignment when whole_tokens
};

// The [split] rules (fractions in (0, 1) leaving test a share); messages read
// "origin: split.<field> = value must be <rule>". Throws ConfigError.
void validate_options(const SplitOptions& options, std::string_view origin);

}  // namespace snipe::trainer
