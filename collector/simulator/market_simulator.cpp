#include "collector/simulator/market_simulator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numbers>
#include <random>

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe::collector::simulator {
namespace {

constexpr std::array<std::string_view, kRegimeCount> kRegimeNames = {
    "launch", "drift", "accumulation", "pump", "dump", "bleed", "pre_rug", "rug", "dead"};

constexpr std::int64_t kLaunchSpacingS = 15 * 60;  // token i launches i * 15 min after start
constexpr double kMaxNoiseLogReturn = 1.7917594692280550;  // ln 6: +500%, half the spike limit

// ---------------------------------------------------------------------------- randomness

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Our own distributions over std::mt19937_64, whose output sequence the standard fixes.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }

  // Inclusive [lo, hi]; the modulo bias is below 2^-40 for the ranges used here.
  std::size_t uniform_int(std::size_t lo, std::size_t hi) {
    return lo + static_cast<std::size_t>(engine_() % (hi - lo + 1));
  }

  // Standard normal by Box-Muller (one value per call, no cached state).
  double normal() {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return radius * std::cos(2.0 * std::numbers::pi * uniform());
  }

  // Lognormal multiplier with mean 1.
  double noise(double sigma) { return std::exp(sigma * normal() - 0.5 * sigma * sigma); }

  // Failures before the first success, success probability p.
  double geometric(double p) { return std::floor(std::log(1.0 - uniform()) / std::log1p(-p)); }

 private:
  std::mt19937_64 engine_;
};

// -------------------------------------------------------------------------------- context

// The facts as they are, before a provider loses any of them.
struct TrueContext {
  double liquidity_usd = 0.0;      // pool liquidity at launch
  double top10_share = 0.0;        // 0..1
  bool mint_revoked = false;
  bool lp_burned = false;
  double previous_launches = 0.0;  // creator's earlier tokens
  double age_hours = 0.0;          // age at the first bar
};

TrueContext draw_context(Rng& rng) {
  TrueContext c;
  c.liquidity_usd = 20'000.0 * std::exp(1.1 * rng.normal());
  // One draw per statement: the order in which operands or arguments are evaluated is
  // unspecified, and g++ and clang choose differently (the same seed would give another
  // market with the other compiler).
  const double u1 = rng.uniform();
  const double u2 = rng.uniform();
  const double u3 = rng.uniform();
  c.top10_share = 0.1 + 0.85 * (u1 + u2 + u3) / 3.0;
  c.mint_revoked = rng.bernoulli(0.7);
  c.lp_burned = rng.bernoulli(0.6);
  const bool serial_launcher = rng.bernoulli(0.15);
  c.previous_launches = serial_launcher ? 5.0 + rng.geometric(0.1) : rng.geometric(0.45);
  c.age_hours = -0.5 * std::log(1.0 - rng.uniform());
  return c;
}

// Logistic model (RugModel): concentrated holders, a live mint, an unburned LP, a serial
// creator and thin liquidity all raise the chance that the token is rugged within its life.
double rug_probability(const TrueContext& c, const RugModel& m) {
  const double z = m.base_logit + m.top10_weight * (c.top10_share - 0.45) +
                   (c.mint_revoked ? 0.0 : m.live_mint_weight) +
                   (c.lp_burned ? 0.0 : m.unburned_lp_weight) +
                   m.creator_weight * std::min(c.previous_launches, 20.0) -
                   m.liquidity_weight * std::log(c.liquidity_usd / 20'000.0);
  return 1.0 / (1.0 + std::exp(-z));
}

// What a provider reports: a share `missing_chance` of tokens lack one or two fields,
// never all.
TokenContext report_context(const TrueContext& c, double missing_chance, Rng& rng) {
  TokenContext out;
  out[ContextField::kInitialLiquidityUsd] = c.liquidity_usd;
  out[ContextField::kTop10HolderShare] = c.top10_share;
  out[ContextField::kMintAuthorityRevoked] = c.mint_revoked ? 1.0 : 0.0;
  out[ContextField::kLpBurned] = c.lp_burned ? 1.0 : 0.0;
  out[ContextField::kCreatorPreviousLaunches] = c.previous_launches;
  out[ContextField::kAgeHours] = c.age_hours;
  if (!rng.bernoulli(missing_chance)) return out;
  const std::size_t first = rng.uniform_int(0, kContextFieldCount - 1);
  out.fields[first] = std::nullopt;
  if (rng.bernoulli(0.3)) {
    const std::size_t offset = rng.uniform_int(1, kContextFieldCount - 1);
    out.fields[(first + offset) % kContextFieldCount] = std::nullopt;
  }
  return out;
}

// ------------------------------------------------------------------------------ lifecycle

// Per-token constants drawn once.
struct Traits {
  std::size_t bars = 0;          // full lifetime
  double start_price = 0.0;      // USD, log-uniform 1e-9..1e-2
  double volatility = 0.0;       // sd of the per-bar log return in drift
  double base_volume = 0.0;      // mean drift volume per bar, USD
  bool rugs = false;             // drawn as a rug from rug_probability
  std::size_t rug_after = 0;     // the first drift ending at or after this bar leads to the rug
};

// Bars a life keeps free after rug_after for what may still come: the longest pump cycle
// (accumulation + 8 + 12 + 48), the short drift past rug_after (<= 12), the pre_rug
// phase and the rug bar, and 5 to spare. 110 under the default preset.
std::size_t rug_reserve(const MarketPreset& p) {
  return p.accumulation.max_bars + 8 + 12 + 48 + 12 + p.pre_rug.max_bars + 1 + 5;
}

Traits draw_traits(const SimulatorOptions& options, const MarketPreset& preset,
                   const TrueContext& context, Rng& rng) {
  Traits t;
  const LifetimeRange lives = lifetime_range(options);
  t.bars = rng.uniform_int(lives.shortest, lives.longest);
  t.start_price = std::pow(10.0, rng.uniform(-9.0, -2.0));
  t.volatility = rng.uniform(preset.min_volatility, preset.max_volatility);
  t.base_volume = context.liquidity_usd * rng.uniform(0.01, 0.08);
  t.rugs = rng.bernoulli(rug_probability(context, preset.rug));
  // Launch (<= 24) + 24 bars first; the reserve left at the end. Shorter lives may see
  // their rug cut off at the end.
  const std::size_t earliest = 48;
  const std::size_t reserve = rug_reserve(preset);
  const std::size_t latest = t.bars > earliest + reserve ? t.bars - reserve : earliest;
  t.rug_after = rng.uniform_int(earliest, latest);
  return t;
}

// Writes bars of one token in order; every phase stops early at the end of the life.
class LifecycleWriter {
 public:
  LifecycleWriter(const MarketPreset& preset, const Traits& traits, std::int64_t launch,
                  std::int64_t interval_s, Rng& rng, SimulatedToken& out)
      : preset_(preset), traits_(traits), launch_(launch), interval_s_(interval_s), rng_(rng),
        out_(out), close_(traits.start_price) {
    out_.candles.reserve(traits.bars);
    out_.regime.reserve(traits.bars);
  }

  bool done() const { return out_.candles.size() >= traits_.bars; }
  std::size_t size() const { return out_.candles.size(); }

  void launch(std::size_t bars) {
    for (std::size_t i = 0; i < bars && !done(); ++i) {
      const double fade = 1.0 - static_cast<double>(i) / static_cast<double>(bars);
      push(Regime::kLaunch, 0.01 + 3.0 * vol() * rng_.normal(), 1.0 + 4.0 * fade, 3.0 * vol());
    }
  }

  void drift(std::size_t bars) {
    for (std::size_t i = 0; i < bars && !done(); ++i) {
      push(Regime::kDrift, vol() * rng_.normal(), 1.0, vol());
    }
  }

  // Accumulation (default: volume ramping 1.5x -> 4x, price edging up), pump, dump, bleed.
  void pump_cycle() {
    precursor(Regime::kAccumulation, preset_.accumulation, 0.002);
    const double gain = std::log1p(rng_.uniform(1.0, 4.0));  // +100..+400%, log
    spread(Regime::kPump, rng_.uniform_int(3, 8), gain, 6.0);
    const std::size_t dump_bars = rng_.uniform_int(4, 12);  // one draw per statement
    const double given_back = rng_.uniform(0.4, 0.9);
    spread(Regime::kDump, dump_bars, -gain * given_back, 3.0);
    bleed(rng_.uniform_int(12, 48));
  }

  void bleed(std::size_t bars) {
    for (std::size_t i = 0; i < bars && !done(); ++i) {
      push(Regime::kBleed, -0.004 + 0.7 * vol() * rng_.normal(), 0.6, 0.7 * vol());
    }
  }

  // pre_rug (default: volume 0.45x -> 0.15x, price flat), the rug bar, then dead bars to
  // the end.
  void rug_sequence() {
    precursor(Regime::kPreRug, preset_.pre_rug, 0.0);
    if (done()) return;
    rug_bar();
    while (!done()) push(Regime::kDead, 0.3 * vol() * rng_.normal(), 0.03, 0.3 * vol());
  }

 private:
  double vol() const { return traits_.volatility; }

  // A Precursor phase; `trend` is the mean log return per bar.
  void precursor(Regime regime, const Precursor& p, double trend) {
    const std::size_t bars = rng_.uniform_int(p.min_bars, p.max_bars);
    for (std::size_t i = 0; i < bars && !done(); ++i) {
      const double ramp = static_cast<double>(i + 1) / static_cast<double>(bars);
      push(regime, trend + p.volatility * vol() * rng_.normal(),
           p.volume_from + p.volume_change * ramp, p.volatility * vol());
    }
  }

  // A move of `total_log_return` split over `bars` bars by random positive weights, so
  // the phase's total is exact and no bar exceeds it.
  void spread(Regime regime, std::size_t bars, double total_log_return, double volume_mult) {
    std::array<double, 12> weights{};  // bars <= 12
    double sum = 0.0;
    for (std::size_t i = 0; i < bars; ++i) sum += weights[i] = 0.2 - std::log(1.0 - rng_.uniform());
    for (std::size_t i = 0; i < bars && !done(); ++i) {
      const double fade = 1.0 - 0.5 * static_cast<double>(i) / static_cast<double>(bars);
      push(regime, total_log_return * weights[i] / sum, volume_mult * fade, vol());
    }
  }

  // Close 80-98% below the previous close, low at most 99% below it, heavy volume.
  void rug_bar() {
    const double drop = rng_.uniform(0.80, 0.98);
    const double low_drop = drop + (0.99 - drop) * 0.5 * rng_.uniform();
    Candle c;
    c.timestamp = next_timestamp();
    c.open = close_;
    c.close = close_ * (1.0 - drop);
    c.low = close_ * (1.0 - low_drop);
    c.high = close_ * std::exp(0.2 * vol() * std::abs(rng_.normal()) + 1e-4);
    c.volume = volume(4.0);
    out_.rug_timestamp = c.timestamp;
    append(Regime::kRug, c);
  }

  void push(Regime regime, double log_return, double volume_mult, double wick_sigma) {
    Candle c;
    c.timestamp = next_timestamp();
    c.open = close_;
    c.close = close_ * std::exp(std::min(log_return, kMaxNoiseLogReturn));
    // The 1e-4 floor keeps high > low: a series never turns flat (stale).
    c.high = std::max(c.open, c.close) * std::exp(wick_sigma * std::abs(rng_.normal()) + 1e-4);
    c.low = std::min(c.open, c.close) * std::exp(-wick_sigma * std::abs(rng_.normal()) - 1e-4);
    c.volume = volume(volume_mult);
    append(regime, c);
  }

  // Volume around a slowly wandering level (AR(1) in log space), lognormal per bar.
  double volume(double mult) {
    level_ = 0.98 * level_ + 0.03 * rng_.normal();
    return traits_.base_volume * std::exp(level_) * mult * rng_.noise(preset_.volume_noise);
  }

  std::int64_t next_timestamp() const {
    return launch_ + static_cast<std::int64_t>(out_.candles.size()) * interval_s_;
  }

  void append(Regime regime, const Candle& c) {
    close_ = c.close;
    out_.candles.push_back(c);
    out_.regime.push_back(static_cast<std::uint8_t>(regime));
  }

  const MarketPreset& preset_;
  const Traits& traits_;
  std::int64_t launch_;
  std::int64_t interval_s_;
  Rng& rng_;
  SimulatedToken& out_;
  double close_;        // close of the last bar written (the start price before any)
  double level_ = 0.0;  // log volume level relative to base_volume
};

// Drift length: 12-72 bars, but a rugged token's drift ends at rug_after (>= 6 bars), and
// once past it the next drift is short so the rug follows soon.
std::size_t drift_length(const Traits& traits, std::size_t position, Rng& rng) {
  const std::size_t bars = rng.uniform_int(12, 72);
  if (!traits.rugs) return bars;
  if (position >= traits.rug_after) return std::min<std::size_t>(bars, rng.uniform_int(6, 12));
  return position + bars > traits.rug_after ? std::max<std::size_t>(6, traits.rug_after - position)
                                            : bars;
}

void run_lifecycle(const MarketPreset& preset, const Traits& traits, Rng& rng,
                   LifecycleWriter& writer) {
  writer.launch(rng.uniform_int(6, 24));
  while (!writer.done()) {
    writer.drift(drift_length(traits, writer.size(), rng));
    if (writer.done()) break;
    if (traits.rugs && writer.size() >= traits.rug_after) {
      writer.rug_sequence();
      break;
    }
    const double choice = rng.uniform();
    if (choice < preset.pump_chance) {
      writer.pump_cycle();
    } else if (choice < preset.pump_chance + preset.bleed_chance) {
      writer.bleed(rng.uniform_int(12, 48));
    }  // else: another drift
  }
}

// Drops bars opening after end_timestamp; the rug counts only if its bar is kept.
void cut_at(std::int64_t end_timestamp, SimulatedToken& token) {
  const auto after_end = [&](const Candle& c) { return c.timestamp > end_timestamp; };
  const auto first_cut = std::find_if(token.candles.begin(), token.candles.end(), after_end);
  const auto kept = static_cast<std::size_t>(first_cut - token.candles.begin());
  token.candles.resize(kept);
  token.regime.resize(kept);
  if (token.rug_timestamp > end_timestamp) token.rug_timestamp = -1;
  token.liquidity_removed = token.rug_timestamp >= 0;
}

}  // namespace

std::string_view regime_name(Regime regime) {
  const auto i = static_cast<std::size_t>(regime);
  return i < kRegimeCount ? kRegimeNames[i] : std::string_view("unknown");
}

std::string token_id(std::size_t index) { return fmt::format("sim-{:06d}", index); }

std::optional<std::size_t> token_index(std::string_view id) {
  constexpr std::string_view kPrefix = "sim-";
  if (!id.starts_with(kPrefix)) return std::nullopt;
  const std::string_view digits = id.substr(kPrefix.size());
  std::size_t index = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (token_id(index) != id) return std::nullopt;  // "sim-42", "sim-0000042", "sim-+1"
  return index;
}

LifetimeRange lifetime_range(const SimulatorOptions& options) {
  const double span = market_preset(options.preset).lifetime_span;
  const double range = static_cast<double>(options.max_candles - options.min_candles);
  return {.shortest = options.min_candles,
          .longest = options.min_candles + static_cast<std::size_t>(std::llround(span * range))};
}

std::int64_t launch_timestamp(const SimulatorOptions& options, std::size_t index) {
  const std::int64_t offset = static_cast<std::int64_t>(index) * kLaunchSpacingS;
  return options.start_timestamp + offset / options.interval_s * options.interval_s;
}

SimulatedToken simulate_token(const SimulatorOptions& options, std::size_t index) {
  const MarketPreset& preset = market_preset(options.preset);
  Rng rng(splitmix64(splitmix64(options.seed) ^ index));
  const TrueContext truth = draw_context(rng);
  SimulatedToken token;
  token.id = token_id(index);
  token.context = report_context(truth, preset.missing_context_chance, rng);
  const Traits traits = draw_traits(options, preset, truth, rng);
  LifecycleWriter writer(preset, traits, launch_timestamp(options, index), options.interval_s, rng,
                         token);
  run_lifecycle(preset, traits, rng, writer);
  token.liquidity_removed = token.rug_timestamp >= 0;
  if (options.end_timestamp > 0) cut_at(options.end_timestamp, token);
  return token;
}

}  // namespace snipe::collector::simulator
