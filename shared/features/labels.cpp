#include "shared/features/labels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "shared/core/option_rule.h"

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

void validate_options(const LabelOptions& l, std::string_view origin) {
  require_option(l.horizon >= 1, origin, "labels.horizon", l.horizon, ">= 1 (candles)");
  require_option(l.take_profit > 0.0, origin, "labels.take_profit", l.take_profit,
                 "> 0 (a fraction above the entry)");
  require_option(l.stop_loss > 0.0 && l.stop_loss < 1.0, origin, "labels.stop_loss", l.stop_loss,
                 "in (0, 1) (a fraction below the entry)");
  require_option(l.rug_drop > 0.0 && l.rug_drop < 1.0, origin, "labels.rug_drop", l.rug_drop,
                 "in (0, 1) (0.8 = a fall of 80%)");
  require_option(l.rug_drop >= l.stop_loss, origin, "labels.rug_drop", l.rug_drop,
                 fmt::format(">= labels.stop_loss ({}): a rug is at least as deep as a stop-loss", l.stop_loss));
}

}  // namespace snipe
