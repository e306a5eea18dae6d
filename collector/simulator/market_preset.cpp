#include "collector/simulator/market_preset.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "shared/core/errors.h"

namespace snipe::collector::simulator {
namespace {

constexpr std::array<std::string_view, kPresetCount> kPresetNames = {
    "default", "context_rugs", "precursor_rugs", "rug_heavy", "noisy", "short_listings"};

// Rug weights 3.5x default's, base logit lowered to keep about default's rug rate; the
// pre_rug phase is 3-6 bars at 0.9x -> 0.8x volume with nearly drift-like prices.
constexpr MarketPreset context_rugs() {
  MarketPreset p;
  p.rug = {.base_logit = -6.6, .top10_weight = 10.5, .live_mint_weight = 4.55,
           .unburned_lp_weight = 5.6, .creator_weight = 0.42, .liquidity_weight = 1.05};
  p.pre_rug = {.min_bars = 3, .max_bars = 6, .volume_from = 0.9, .volume_change = -0.1,
               .volatility = 0.9};
  return p;
}

// No context weight: every token is drawn as a rug with chance 0.38 (logistic of -0.5);
// the pre_rug phase is 18-36 bars at 0.35x -> 0.05x volume with a near-frozen price.
constexpr MarketPreset precursor_rugs() {
  MarketPreset p;
  p.rug = {.base_logit = -0.5, .top10_weight = 0.0, .live_mint_weight = 0.0,
           .unburned_lp_weight = 0.0, .creator_weight = 0.0, .liquidity_weight = 0.0};
  p.pre_rug = {.min_bars = 18, .max_bars = 36, .volume_from = 0.35, .volume_change = -0.3,
               .volatility = 0.2};
  return p;
}

// Default's context weights on a base logit 1.6 higher (about twice the rugs); a pump
// cycle follows 65% of drifts, a bleed 10%.
constexpr MarketPreset rug_heavy() {
  MarketPreset p;
  p.rug.base_logit = -0.6;
  p.pump_chance = 0.65;
  p.bleed_chance = 0.10;
  return p;
}

// Drift volatility 0.03-0.08, volume noise 0.8, pre_rug 0.7x -> 0.45x, accumulation
// 1.2x -> 2.2x, a quarter of the tokens missing context fields.
constexpr MarketPreset noisy() {
  MarketPreset p;
  p.pre_rug = {.min_bars = 6, .max_bars = 12, .volume_from = 0.7, .volume_change = -0.25,
               .volatility = 0.6};
  p.accumulation = {.min_bars = 6, .max_bars = 12, .volume_from = 1.2, .volume_change = 1.0,
                    .volatility = 0.8};
  p.min_volatility = 0.03;
  p.max_volatility = 0.08;
  p.volume_noise = 0.8;
  p.missing_context_chance = 0.25;
  return p;
}

// Lives from the shortest quarter of the configured range (288..432 bars by default).
constexpr MarketPreset short_listings() {
  MarketPreset p;
  p.lifetime_span = 0.25;
  return p;
}

// [Preset]
constexpr std::array<MarketPreset, kPresetCount> kMarketPresets = {
    MarketPreset{}, context_rugs(), precursor_rugs(), rug_heavy(), noisy(), short_listings()};

constexpr bool well_formed(const Precursor& p) {
  return p.min_bars >= 1 && p.min_bars <= p.max_bars && p.volume_from > 0.0 &&
         p.volume_from + p.volume_change > 0.0 && p.volatility > 0.0;
}

// What the simulator relies on: precursor volumes stay positive, chances add to at most
// 1, volatility and noise are positive, lives stay inside the configured range. The
// spike and wick limits of the data set's validation are checked by the tests.
constexpr bool well_formed(const MarketPreset& p) {
  return well_formed(p.pre_rug) && well_formed(p.accumulation) && p.pump_chance >= 0.0 &&
         p.bleed_chance >= 0.0 && p.pump_chance + p.bleed_chance <= 1.0 &&
         p.min_volatility > 0.0 && p.min_volatility <= p.max_volatility && p.volume_noise > 0.0 &&
         p.missing_context_chance >= 0.0 && p.missing_context_chance <= 1.0 &&
         p.lifetime_span > 0.0 && p.lifetime_span <= 1.0;
}

constexpr bool all_well_formed() {
  for (const MarketPreset& p : kMarketPresets) {
    if (!well_formed(p)) return false;
  }
  return true;
}
static_assert(all_well_formed());

}  // namespace

std::string_view preset_name(Preset preset) {
  const auto i = static_cast<std::size_t>(preset);
  return i < kPresetCount ? kPresetNames[i] : std::string_view("unknown");
}

Preset parse_preset(std::string_view name) {
  for (const Preset preset : kPresets) {
    if (name == preset_name(preset)) return preset;
  }
  throw ConfigError(fmt::format("= \"{}\" must be one of {}", name, fmt::join(kPresetNames, ", ")));
}

const MarketPreset& market_preset(Preset preset) {
  return kMarketPresets[static_cast<std::size_t>(preset)];
}

}  // namespace snipe::collector::simulator
