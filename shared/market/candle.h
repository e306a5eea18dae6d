#pragma once
// One OHLCV bar. Prices are in the quote currency (usually USD) and may span 1e-9..1e3
// across tokens; nothing downstream of the feature library sees raw prices.

#include <cstdint>
#include <span>
#include <vector>

namespace snipe {

struct Candle {
  std::int64_t timestamp = 0;  // bar open time, Unix seconds (UTC)
  double open = 0.0;
  double high = 0.0;
  double low = 0.0;
  double close = 0.0;
  double volume = 0.0;  // traded value in the bar, >= 0; sources report it in the quote
                        // currency (USD) so log1p(volume) compares across tokens

  friend bool operator==(const Candle&, const Candle&) = default;
};

using CandleSeries = std::vector<Candle>;  // one token, time-ordered
using CandleSpan = std::span<const Candle>;

}  // namespace snipe
