#pragma once
// One interface for every market-data source (synthetic, birdeye, geckoterminal, csv).
// The collector asks a source for its token list, then for each token's candles; a
// source hides paging, rate limits, retries and response formats.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/market/candle.h"

namespace snipe::collector {

// What a simulator knows about its own token (absent for real sources): the regime of
// every bar and when the rug happened, so model quality can be judged against the truth.
struct GroundTruth {
  std::vector<std::uint8_t> regime;  // [candles], a simulator::Regime value per bar
  std::int64_t rug_timestamp = -1;   // bar open time of the rug, -1 when none
  friend bool operator==(const GroundTruth&, const GroundTruth&) = default;
};

struct FetchedSeries {
  CandleSeries candles;               // ascending timestamps, only bars after `after`
  TokenContext context;               // static facts; missing ones stay nullopt
  std::optional<GroundTruth> truth;   // synthetic source only; aligned with `candles`
  bool liquidity_removed = false;     // the source saw the pool's liquidity pulled
};

// A token could not be fetched; `reason` is a short stable code for the quality report
// ("http_401", "malformed_json", "no_key_left", ...), what() the full message.
class SourceError : public Error {
 public:
  SourceError(std::string reason, const std::string& message)
      : Error(message), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

class Source {
 public:
  virtual ~Source() = default;

  // "synthetic" | "birdeye" | "geckoterminal" | "csv"
  virtual std::string_view kind() const = 0;

  // The tokens to collect. Deterministic: every rank gets the same list in the same
  // order for the same config, so ranks can split it by index.
  virtual std::vector<std::string> list_tokens() = 0;

  // Bars of `token` with timestamp > `after` (0: from the first bar), ascending.
  // Throws SourceError when the token cannot be fetched; never crashes the rank.
  virtual FetchedSeries fetch(const std::string& token, std::int64_t after) = 0;

  // The source's view of the world when the job was planned (discovery results such as
  // listing times, the clock that bounds the bars it serves) as JSON text. restore() on
  // another instance (another rank, or the rerun after a crash) makes it serve exactly
  // the same tokens and bars. Stateless sources return "{}" and ignore restore().
  // Pure virtual on purpose: a wrapper that forgot to forward them once broke rank
  // agreement silently.
  virtual std::string snapshot() const = 0;
  virtual void restore(const std::string& snapshot) = 0;
};

}  // namespace snipe::collector
