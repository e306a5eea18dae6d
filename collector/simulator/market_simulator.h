#pragma once
// A seeded, deterministic market simulator of new-token lifecycles: the embedded default
// data source, so the pipeline runs end to end without an API key, and a source of
// ground truth (the regime of every bar, the rug time) to judge model quality against.
//
// Each token lives through scripted phases with random durations:
//   launch -> drift -> { accumulation -> pump -> dump -> bleed | bleed | drift } -> ...
// and, for tokens drawn as rugs, drift -> pre_rug -> rug -> dead until the series ends.
// Precursors are observable: volume builds before every pump and dries up before a rug.
// Static context (holder concentration, mint/LP safety, creator history) carries signal:
// the rug probability is a logistic function of it. How strong each signal is, and the
// noise, rates and lifetimes around it, come from the options' preset (market_preset.h);
// the phase lengths and multipliers quoted below are the default preset's.
//
// Determinism: a token is a pure function of (options, index), the preset included. Its
// RNG is std::mt19937_64 (output sequence fixed by the C++ standard) seeded from
// splitmix64(seed, index); all distributions are our own code, not std:: distributions
// (whose algorithms are implementation-defined), so results are the same on every rank,
// in any order, whether or not other tokens were simulated. Only libm's last-bit rounding
// of exp/log/cos could differ across toolchains; one toolchain builds every rank.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/simulator/simulator_options.h"
#include "shared/features/context.h"
#include "shared/market/candle.h"

namespace snipe::collector::simulator {

enum class Regime : std::uint8_t {
  kLaunch,        // first bars after listing: high volatility, high volume
  kDrift,         // directionless random walk on ordinary volume
  kAccumulation,  // 6-12 bars of buy volume building, price firm: precedes every pump
  kPump,          // steep rise, +100..+400% over 3-8 bars on heavy volume
  kDump,          // distribution after a pump: gives back 40-90% of it on heavy volume
  kBleed,         // slow decline on fading volume
  kPreRug,        // 6-12 bars of volume drying up, price flat: precedes every rug
  kRug,           // the bar liquidity is pulled: close 80-98% below the previous close
  kDead,          // after a rug until the end: thin but nonzero trading
  kCount
};
inline constexpr std::size_t kRegimeCount = static_cast<std::size_t>(Regime::kCount);

// Stable snake_case name ("pre_rug"); "unknown" for values >= kRegimeCount.
std::string_view regime_name(Regime regime);

struct SimulatedToken {
  std::string id;                    // token_id(index)
  CandleSeries candles;              // ascending, interval_s apart, USD volume, passes validation
  TokenContext context;              // as a provider would report it: some (~7%) miss 1-2 fields
  std::vector<std::uint8_t> regime;  // [candles], a Regime value per bar
  std::int64_t rug_timestamp = -1;   // open time of the rug bar; -1: none (or cut off)
  bool liquidity_removed = false;    // true iff the rug bar is among `candles`
};

// "sim-000042". Indices of 1e6 and above get more digits ("sim-1234567").
std::string token_id(std::size_t index);

// Inverse of token_id: nullopt unless `id` is exactly token_id(i) for some i.
std::optional<std::size_t> token_index(std::string_view id);

// The full lifetimes, in bars, that tokens of `options` draw from (uniformly, inclusive):
// min_candles up to min_candles + the preset's lifetime_span * (max_candles - min_candles),
// rounded. REQUIRES: options pass validate_options.
struct LifetimeRange {
  std::size_t shortest = 0;
  std::size_t longest = 0;
};
LifetimeRange lifetime_range(const SimulatorOptions& options);

// Open time of token `index`'s first bar: start_timestamp + index * 15 min, rounded down
// to the interval_s grid.
std::int64_t launch_timestamp(const SimulatorOptions& options, std::size_t index);

// The whole observed life of token `index` (cut at end_timestamp when that is > 0: the
// bars kept are identical to the uncut run's). Pure and thread-safe. REQUIRES: options
// pass validate_options. Cost: well under a millisecond for 864 bars.
SimulatedToken simulate_token(const SimulatorOptions& options, std::size_t index);

}  // namespace snipe::collector::simulator
