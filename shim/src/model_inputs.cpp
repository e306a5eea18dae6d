#include "shim/src/model_inputs.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "shared/features/model_features.h"
#include "shared/features/tabular.h"
#include "shared/market/validation.h"

namespace snipe::shim {
namespace {

// The validation reasons that make a candle series unusable as input.
constexpr Reason kRefused[] = {Reason::kNonFinite,          Reason::kNonPositivePrice,
                               Reason::kNegativeVolume,     Reason::kHighBelowLow,
                               Reason::kOpenCloseOutsideRange, Reason::kDuplicateTimestamp,
                               Reason::kTimestampBackwards};

constexpr std::int64_t kLatestSeconds = 100'000'000'000;

void check_candles(snipe::CandleSpan candles, std::size_t window, std::string_view token) {
  const std::size_t needed = min_candles_for(window);
  if (candles.size() < needed) {
    throw InputError(fmt::format("{}: {} candles, but the model needs at least {} ({} for its window + {} of "
                                 "indicator warm-up); HINT: pass the token's candles since launch, oldest first",
                                 token, candles.size(), needed, window, kModelFeatureWarmup));
  }
  // Unix seconds: 1e11 s is the year 5138, while milliseconds since 1973 exceed it (a
  // JavaScript Date.now() passed as is).
  if (candles.back().timestamp > kLatestSeconds) {
    throw InputError(fmt::format("{}: timestamp {} of the last candle looks like milliseconds; HINT: pass Unix "
                                 "seconds (Math.floor(ms / 1000))",
                                 token, candles.back().timestamp));
  }
  const ValidationReport report = validate_series(candles, ValidationOptions{.min_candles = 0});
  for (const Reason reason : kRefused) {
    if (report.count(reason) == 0) continue;
    const std::size_t row = report.first_row[static_cast<std::size_t>(reason)];
    throw InputError(fmt::format("{}: candle {} (timestamp {}) is refused: {} ({} candle(s) in all); HINT: "
                                 "candles must be finite, prices > 0, low <= open, close <= high, volume >= 0, "
                                 "timestamps strictly increasing",
                                 token, row, candles[row].timestamp, reason_name(reason), report.count(reason)));
  }
}

template <std::size_t N>
void append_floats(std::vector<float>& out, const std::array<double, N>& row) {
  for (const double v : row) out.push_back(static_cast<float>(v));  // as the shard stores them
}

}  // namespace

std::size_t min_candles_for(std::size_t window) { return window + kModelFeatureWarmup; }

std::vector<snipe::Candle> feature_candles(CandleSpan candles) {
  std::vector<snipe::Candle> out(candles.size());
  std::transform(candles.begin(), candles.end(), out.begin(), [](const Candle& c) {
    return snipe::Candle{c.timestamp, c.open, c.high, c.low, c.close, c.volume};
  });
  return out;
}

std::vector<Candle> shim_candles(snipe::CandleSpan candles) {
  std::vector<Candle> out(candles.size());
  std::transform(candles.begin(), candles.end(), out.begin(), [](const snipe::Candle& c) {
    return Candle{c.timestamp, c.open, c.high, c.low, c.close, c.volume};
  });
  return out;
}

WindowFeatures window_features(snipe::CandleSpan candles, std::size_t window, std::string_view token) {
  check_candles(candles, window, token);
  WindowFeatures out;
  out.candle.reserve(window * kCandleFeatureCount);
  out.indicator.reserve(window * kIndicatorFeatureCount);
  const std::size_t first = candles.size() - window;  // first row of the window
  FeatureStream stream;
  for (std::size_t t = 0; t < candles.size(); ++t) {
    const FeatureRow row = stream.push(candles[t]);
    if (t < first) continue;
    append_floats(out.candle, row.candle);
    append_floats(out.indicator, row.indicator);
  }
  return out;
}

TokenContext parse_context(const ContextValues& values, std::string_view token) {
  TokenContext context;
  std::array<bool, kContextFieldCount> seen{};
  for (const auto& [name, value] : values) {
    const auto* it = std::find(kContextFieldNames.begin(), kContextFieldNames.end(), name);
    if (it == kContextFieldNames.end()) {
      throw InputError(fmt::format("{}: unknown context field '{}'; the fields are {}", token, name,
                                   fmt::join(kContextFieldNames, ", ")));
    }
    const auto i = static_cast<std::size_t>(it - kContextFieldNames.begin());
    if (seen[i]) throw InputError(fmt::format("{}: context field '{}' is given twice", token, name));
    if (value && !std::isfinite(*value)) {
      throw InputError(fmt::format("{}: context field '{}' is {}; a known value must be finite (pass null / "
                                   "known = 0 when it is unknown)",
                                   token, name, *value));
    }
    seen[i] = true;
    context.fields[i] = value;
  }
  for (std::size_t i = 0; i < kContextFieldCount; ++i) {
    if (!seen[i]) {
      throw InputError(fmt::format("{}: missing context field '{}'; pass every field ({}), null / known = 0 for "
                                   "one the bot does not know",
                                   token, kContextFieldNames[i], fmt::join(kContextFieldNames, ", ")));
    }
  }
  return context;
}

void write_model_inputs(const TokenInput& token, std::size_t window, const Scalers& scalers,
                        std::string_view token_name, std::span<float> candles, std::span<float> indicators,
                        std::span<float> context, std::span<float> tabular) {
  const TokenContext facts = parse_context(token.context, token_name);
  const std::vector<snipe::Candle> bars = feature_candles(token.candles);
  WindowFeatures features = window_features(bars, window, token_name);
  const ContextFeatureRow row = context_features(facts);
  if (!tabular.empty()) {
    const std::size_t last = window - 1;
    const TabularRow view = tabular_features(
        {.candles = snipe::CandleSpan(bars).last(window),
         .candle_features = std::span(features.candle).subspan(last * kCandleFeatureCount, kCandleFeatureCount),
         .indicator_features =
             std::span(features.indicator).subspan(last * kIndicatorFeatureCount, kIndicatorFeatureCount),
         .context = &row});
    std::copy(view.begin(), view.end(), tabular.begin());
  }
  for (std::size_t r = 0; r < window; ++r) {
    scalers.candle.apply(std::span(features.candle).subspan(r * kCandleFeatureCount, kCandleFeatureCount));
    scalers.indicator.apply(std::span(features.indicator).subspan(r * kIndicatorFeatureCount, kIndicatorFeatureCount));
  }
  std::copy(features.candle.begin(), features.candle.end(), candles.begin());
  std::copy(features.indicator.begin(), features.indicator.end(), indicators.begin());
  std::transform(row.begin(), row.end(), context.begin(), [](double v) { return static_cast<float>(v); });
  scalers.context.apply(context);
}

}  // namespace snipe::shim
