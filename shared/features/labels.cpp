#include "shared/features/labels.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace snipe {
namespace {

// Barriers are decimal fractions (0.2, 0.8) that binary floating point cannot hold
// exactly: 100 * (1 - 0.8) is 19.999999999999996, so a low of exactly 20 would miss the
// rug barrier. A price within this relative distance of a barrier touches it.
constexpr double kTouchTolerance = 1e-12;

}  // namespace

std::optional<Label> label_at(CandleSpan candles, std::size_t entry_row,
                              const LabelOptions& options) {
  if (entry_row >= candles.size() || candles.size() - 1 - entry_row < options.horizon) {
    return std::nullopt;
  }
  const double entry = candles[entry_row].close;
  if (!std::isfinite(entry) || entry <= 0) return std::nullopt;
  const double take_profit_price = entry * (1.0 + options.take_profit) * (1.0 - kTouchTolerance);
  const double stop_loss_price = entry * (1.0 - options.stop_loss) * (1.0 + kTouchTolerance);
  const double rug_price = entry * (1.0 - options.rug_drop) * (1.0 + kTouchTolerance);

  Label label;
  label.exit_offset = options.horizon;
  double max_high = -std::numeric_limits<double>::infinity();
  double min_low = std::numeric_limits<double>::infinity();
  bool decided = false;
  for (std::size_t k = 1; k <= options.horizon; ++k) {
    const Candle& c = candles[entry_row + k];
    if (!std::isfinite(c.high) || !std::isfinite(c.low)) return std::nullopt;
    max_high = std::max(max_high, c.high);
    min_low = std::min(min_low, c.low);
    if (decided) continue;
    if (c.low <= stop_loss_price) {  // checked first: a candle touching both is a loss
      label.exit = BarrierExit::kStopLoss;
    } else if (c.high >= take_profit_price) {
      label.exit = BarrierExit::kTakeProfit;
      label.profitable = true;
    } else {
      continue;
    }
    label.exit_offset = k;
    decided = true;
  }
  label.max_profit = max_high / entry - 1.0;
  label.rug = min_low <= rug_price;
  return label;
}

std::vector<std::optional<Label>> label_series(CandleSpan candles, const LabelOptions& options) {
  std::vector<std::optional<Label>> labels(candles.size());
  for (std::size_t t = 0; t < candles.size(); ++t) labels[t] = label_at(candles, t, options);
  return labels;
}

}  // namespace snipe
