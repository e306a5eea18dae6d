#include "collector/sources/synthetic_source.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace snipe::collector {

SyntheticSource::SyntheticSource(simulator::SimulatorOptions options)
    : options_(std::move(options)) {
  simulator::validate_options(options_, "synthetic source");
}

std::vector<std::string> SyntheticSource::list_tokens() {
  std::vector<std::string> ids;
  ids.reserve(options_.tokens);
  for (std::size_t i = 0; i < options_.tokens; ++i) ids.push_back(simulator::token_id(i));
  return ids;
}

FetchedSeries SyntheticSource::fetch(const std::string& token, std::int64_t after) {
  const auto index = simulator::token_index(token);
  if (!index || *index >= options_.tokens) {
    throw SourceError("unknown_token",
                      fmt::format("synthetic source: unknown token '{}' (this source has {} "
                                  "tokens, sim-000000 onwards)",
                                  token, options_.tokens));
  }
  simulator::SimulatedToken simulated = simulator::simulate_token(options_, *index);
  const auto first = std::upper_bound(
      simulated.candles.begin(), simulated.candles.end(), after,
      [](std::int64_t t, const Candle& c) { return t < c.timestamp; });
  const auto skip = first - simulated.candles.begin();

  FetchedSeries out;
  out.candles.assign(first, simulated.candles.end());
  out.context = simulated.context;
  out.truth = GroundTruth{{simulated.regime.begin() + skip, simulated.regime.end()},
                          simulated.rug_timestamp};
  out.liquidity_removed = simulated.liquidity_removed;
  return out;
}

}  // namespace snipe::collector
