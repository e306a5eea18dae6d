#pragma once
// The embedded default source: tokens from the market simulator, no network, no key.
// Every rank constructed from the same options sees the same tokens and the same bars.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/simulator/market_simulator.h"
#include "collector/source.h"

namespace snipe::collector {

// Thread-safety: holds only its options; fetch() may run concurrently on any threads.
class SyntheticSource final : public Source {
 public:
  // Throws ConfigError when the options cannot be simulated (see validate_options).
  explicit SyntheticSource(simulator::SimulatorOptions options);

  std::string_view kind() const override { return "synthetic"; }

  // token_id(0) .. token_id(tokens - 1), in index order.
  std::vector<std::string> list_tokens() override;

  // Bars with timestamp > `after`, the reported context, and the ground truth (regime per
  // returned bar, the token's rug time). Throws SourceError("unknown_token") for an id
  // that is not one of list_tokens().
  FetchedSeries fetch(const std::string& token, std::int64_t after) override;
  // Stateless: everything it serves follows from its settings.
  std::string snapshot() const override { return "{}"; }
  void restore(const std::string& /*snapshot*/) override {}

 private:
  simulator::SimulatorOptions options_;
};

}  // namespace snipe::collector
