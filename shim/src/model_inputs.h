#pragma once
// From a token's raw candles and context to the model's scaled float32 inputs, with the
// collector's feature code (FeatureStream) and the trainer's scaling (ColumnScaler::apply):
// a window built here equals the trainer's window of the same rows bit for bit.
//
// Recursive indicators (EMAs, Wilder averages, OBV) depend on the whole history, so the
// features of a window equal the stored ones when the candles start where the collected
// series started: the token's first candle. With fewer, older-truncated candles the
// features are still defined (from min_candles() on) but drift from training's.

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "shared/features/context.h"
#include "shared/features/scaling.h"
#include "shared/market/candle.h"
#include "snipe/shim.h"

namespace snipe::shim {

// The fewest candles a window of `window` rows needs: every model feature is defined from
// row kModelFeatureWarmup on.
std::size_t min_candles_for(std::size_t window);

// The public bars (shim.h) as the feature library's (shared/market/candle.h), and back:
// the same fields, units and order, copied (48 bytes a bar).
std::vector<snipe::Candle> feature_candles(CandleSpan candles);
std::vector<Candle> shim_candles(snipe::CandleSpan candles);

// The unscaled model features of the last `window` rows, as stored in a shard (float32).
struct WindowFeatures {
  std::vector<float> candle;     // [T, kCandleFeatureCount]
  std::vector<float> indicator;  // [T, kIndicatorFeatureCount]
};

// Throws InputError (naming `token`, e.g. "token 3", the row and what to do) when the
// candles are too few or malformed: non-finite, non-positive prices, negative volume,
// high < low, open/close outside [low, high], timestamps not strictly increasing or in
// milliseconds rather than seconds. Market
// anomalies the collector also flags (gaps, spikes, dead or stale runs) are served: they
// are what a live token does.
WindowFeatures window_features(snipe::CandleSpan candles, std::size_t window, std::string_view token);

// The context by name, every field present once, known values finite. Throws InputError.
TokenContext parse_context(const ContextValues& values, std::string_view token);

// One token's scaled inputs written at the given rows of a batch:
//   candles [T, Fc], indicators [T, Fi], context [Fx] (spans of exactly those sizes),
// and, unless `tabular` is empty, the window's tabular view [kTabularFeatureCount]
// (shared/features/tabular.h, unscaled) for the trees a head may be served by.
void write_model_inputs(const TokenInput& token, std::size_t window, const Scalers& scalers,
                        std::string_view token_name, std::span<float> candles, std::span<float> indicators,
                        std::span<float> context, std::span<float> tabular = {});

}  // namespace snipe::shim
