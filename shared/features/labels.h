#pragma once
// Triple-barrier labels for an entry at the close of row t, looking at the H candles
// after it, (t, t+H]:
//   profitable  the take-profit barrier entry * (1 + take_profit) is touched by a high
//               before the stop-loss barrier entry * (1 - stop_loss) is touched by a low.
//               When one candle touches both, the order inside the candle is unknown and
//               it counts as stop-loss (the conservative reading). Neither within H: 0.
//   max_profit  max high in (t, t+H] / entry - 1 (>= -1; the best exit in hindsight).
//   rug         min low in (t, t+H] <= entry * (1 - rug_drop).
// A row whose horizon runs past the end of the series, or that meets a non-finite price
// or a non-positive entry, has no label. A price within 1e-12
// (relative) of a barrier touches it, so decimal barriers hit exactly as written.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "shared/market/candle.h"

namespace snipe {

struct LabelOptions {
  std::size_t horizon = 24;  // H, candles after the entry (24 x 5 min = 2 h)
  double take_profit = 0.2;  // upper barrier, fraction above the entry
  double stop_loss = 0.1;    // lower barrier, fraction below the entry
  double rug_drop = 0.8;     // a fall of this fraction below the entry is a rug
};

enum class BarrierExit : std::uint8_t { kTakeProfit, kStopLoss, kHorizon };

struct Label {
  bool profitable = false;
  double max_profit = 0.0;
  bool rug = false;
  BarrierExit exit = BarrierExit::kHorizon;  // which barrier ended the trade
  std::size_t exit_offset = 0;               // candles after the entry when it ended (1..H)
};

// nullopt when entry_row + horizon is past the last row.
std::optional<Label> label_at(CandleSpan candles, std::size_t entry_row,
                              const LabelOptions& options);

// label_at for every row: [candles.size()].
std::vector<std::optional<Label>> label_series(CandleSpan candles, const LabelOptions& options);

// The [labels] rules (horizon >= 1, barriers in range, a rug at least as deep as a
// stop-loss); messages read "origin: labels.<field> = value must be <rule>". Throws
// ConfigError.
void validate_options(const LabelOptions& options, std::string_view origin);

}  // namespace snipe
