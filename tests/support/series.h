#pragma once
// Test series builders. Deterministic: the same seed always gives the same candles.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "shared/market/candle.h"

namespace snipe::testing {

// A geometric random walk with consistent OHLC (low <= open, close <= high), 5-minute
// bars from `start`, prices near `price`, and a few zero-volume bars.
inline CandleSeries random_walk(std::size_t n, std::uint32_t seed, double price = 1.0,
                                std::int64_t start = 1'700'000'000) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> step(0.0, 0.02);
  std::uniform_real_distribution<double> wick(0.0, 0.01);
  std::lognormal_distribution<double> volume(8.0, 1.0);
  CandleSeries candles;
  double close = price;
  for (std::size_t t = 0; t < n; ++t) {
    Candle c;
    c.timestamp = start + static_cast<std::int64_t>(t) * 300;
    c.open = close;
    c.close = close * std::exp(step(rng));
    c.high = std::max(c.open, c.close) * (1.0 + wick(rng));
    c.low = std::min(c.open, c.close) * (1.0 - wick(rng));
    c.volume = t % 37 == 5 ? 0.0 : volume(rng);
    close = c.close;
    candles.push_back(c);
  }
  return candles;
}

}  // namespace snipe::testing
