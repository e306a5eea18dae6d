#include "trainer/baselines/tabular_set.h"

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe::trainer {

TabularSet tabular_set(const DataSet& data, std::span<const std::uint32_t> examples, std::size_t window) {
  std::vector<ContextFeatureRow> context(data.series.size());  // [series], computed once each
  for (std::size_t s = 0; s < data.series.size(); ++s) context[s] = context_features(data.series[s].context);
  TabularSet set;
  set.rows = examples.size();
  set.features.reserve(set.rows * kTabularFeatureCount);
  for (const std::uint32_t index : examples) {
    const Example& example = data.examples.at(index);
    const SeriesRecord& series = data.series.at(example.series);
    const std::size_t end = example.end_row;
    if (window < 2 || end + 1 < window || end >= series.candles.size()) {
      throw DataError(fmt::format("example {} of token {} ends at row {} of {}, too early for a window of {} rows; "
                                  "HINT: the data set is damaged, collect it again",
                                  index, series.token, end, series.candles.size(), window));
    }
    const TabularRow row = tabular_features(
        {.candles = CandleSpan(series.candles).subspan(end + 1 - window, window),
         .candle_features = std::span(series.candle_features).subspan(end * kCandleFeatureCount, kCandleFeatureCount),
         .indicator_features =
             std::span(series.indicator_features).subspan(end * kIndicatorFeatureCount, kIndicatorFeatureCount),
         .context = &context[example.series]});
    set.features.insert(set.features.end(), row.begin(), row.end());
    set.profitable.push_back(example.profitable ? 1.0f : 0.0f);
    set.rug.push_back(example.rug ? 1.0f : 0.0f);
    set.max_profit.push_back(example.max_profit);
  }
  return set;
}

}  // namespace snipe::trainer
