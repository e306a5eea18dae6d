#pragma once
// Reading a simulated token's ground truth in tests: where runs of a regime begin and
// end, and mean volumes over rows or over a regime.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "collector/simulator/market_simulator.h"

namespace snipe::testing {

inline std::uint8_t regime_code(collector::simulator::Regime regime) {
  return static_cast<std::uint8_t>(regime);
}

// Rows where a run of `regime` begins.
inline std::vector<std::size_t> run_starts(const collector::simulator::SimulatedToken& token,
                                           std::uint8_t regime) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < token.regime.size(); ++i) {
    if (token.regime[i] == regime && (i == 0 || token.regime[i - 1] != regime)) starts.push_back(i);
  }
  return starts;
}

// One past the last row of the run that holds row `start`.
inline std::size_t run_end(const collector::simulator::SimulatedToken& token, std::size_t start) {
  std::size_t end = start;
  while (end < token.regime.size() && token.regime[end] == token.regime[start]) ++end;
  return end;
}

// Mean volume of rows [begin, end). REQUIRES: begin < end <= candles.size().
inline double mean_volume(const CandleSeries& candles, std::size_t begin, std::size_t end) {
  double sum = 0.0;
  for (std::size_t i = begin; i < end; ++i) sum += candles[i].volume;
  return sum / static_cast<double>(end - begin);
}

// Mean volume of the rows in `regime`; 0 when there are none.
inline double mean_volume_in(const collector::simulator::SimulatedToken& token,
                             std::uint8_t regime) {
  double sum = 0.0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < token.candles.size(); ++i) {
    if (token.regime[i] != regime) continue;
    sum += token.candles[i].volume;
    ++count;
  }
  return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

}  // namespace snipe::testing
