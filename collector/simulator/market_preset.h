#pragma once
// Market presets: the simulator's behavioural parameters, grouped under names
// (synthetic.preset in the config). Each preset moves the predictive signal somewhere
// else (static context, observable precursors, noise, listing length), so a model trained
// on one preset's tokens can be scored on unseen tokens of every preset. `default` is the
// simulator's original market, bit for bit. Plain data, apart from the simulator, so the
// config layer can hold a Preset.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace snipe::collector::simulator {

enum class Preset : std::uint8_t {
  kDefault,        // the original market: context and precursors both carry rug signal
  kContextRugs,    // static context decides rugs almost alone; pre_rug is short and faint
  kPrecursorRugs,  // context says nothing about rugs; pre_rug is long and unmistakable
  kRugHeavy,       // about twice the rugs of default and more pump cycles
  kNoisy,          // noisier prices and volume, fainter precursors, more missing context
  kShortListings,  // lives drawn from the shortest quarter of [min_candles, max_candles]
  kCount
};
inline constexpr std::size_t kPresetCount = static_cast<std::size_t>(Preset::kCount);

// Every preset, in declaration order (for listing and for tests).
inline constexpr std::array<Preset, kPresetCount> kPresets = {
    Preset::kDefault,  Preset::kContextRugs, Preset::kPrecursorRugs,
    Preset::kRugHeavy, Preset::kNoisy,       Preset::kShortListings};

// Stable snake_case name ("context_rugs"); "unknown" for values >= kPresetCount.
std::string_view preset_name(Preset preset);

// The inverse of preset_name. Throws ConfigError reading `= "<name>" must be one of
// default, ...`; the config prefixes the origin and `synthetic.preset`.
Preset parse_preset(std::string_view name);

// How static context drives the chance that a token is rugged within its life: the
// logistic of
//   z = base_logit + top10_weight * (top10_share - 0.45) + (mint live ? live_mint_weight : 0)
//       + (LP not burned ? unburned_lp_weight : 0) + creator_weight * min(launches, 20)
//       - liquidity_weight * ln(liquidity_usd / 20'000).
// All weights 0: every token rugs with the same chance, whatever its context.
struct RugModel {
  double base_logit = -2.2;         // sets the base rug rate (z of a neutral token)
  double top10_weight = 3.0;        // per unit of top-10 holder share above 0.45
  double live_mint_weight = 1.3;    // mint authority not revoked
  double unburned_lp_weight = 1.6;  // LP tokens not burned
  double creator_weight = 0.12;     // per earlier launch of the creator, at most 20 counted
  double liquidity_weight = 0.3;    // per e-fold of launch liquidity above $20k (lowers z)
};

// A phase that announces what follows it. It lasts a uniform [min_bars, max_bars] bars;
// bar i (0-based) of `bars` trades (volume_from + volume_change * (i + 1) / bars) times
// the token's drift volume and moves with `volatility` times its drift volatility.
// REQUIRES: 1 <= min_bars <= max_bars; volume_from > 0 and volume_from + volume_change > 0.
struct Precursor {
  std::size_t min_bars = 6;
  std::size_t max_bars = 12;
  double volume_from = 1.0;    // x drift volume, before the first bar's step
  double volume_change = 0.0;  // reached in full on the last bar
  double volatility = 1.0;     // x the token's drift volatility (price and wicks)
};

struct MarketPreset {
  RugModel rug;  // who is rugged
  // Before every rug: volume drying up (0.45x -> 0.15x), price quiet.
  Precursor pre_rug{.min_bars = 6, .max_bars = 12, .volume_from = 0.45, .volume_change = -0.3,
                    .volatility = 0.3};
  // Before every pump: buy volume building (1.5x -> 4x), price firm.
  Precursor accumulation{.min_bars = 6, .max_bars = 12, .volume_from = 1.5, .volume_change = 2.5,
                         .volatility = 0.5};
  double pump_chance = 0.45;   // after a drift (not the one before a rug): a pump cycle ...
  double bleed_chance = 0.20;  // ... or a slow bleed; otherwise another drift
  double min_volatility = 0.015;  // a token's drift volatility (sd of the per-bar log
  double max_volatility = 0.05;   // return) is uniform in [min, max]
  double volume_noise = 0.45;     // sd of the per-bar lognormal volume noise (log space)
  double missing_context_chance = 0.07;  // a token's provider report lacks 1-2 fields
  // Lives are uniform in [min_candles, min_candles + lifetime_span * (max_candles -
  // min_candles)] (rounded): in (0, 1], so a preset never leaves the configured range.
  double lifetime_span = 1.0;
};

// The parameters of `preset`. REQUIRES: preset < Preset::kCount.
const MarketPreset& market_preset(Preset preset);

}  // namespace snipe::collector::simulator
