#pragma once
// GeckoTerminal (api.geckoterminal.com, no key) as a Source: 5-minute OHLCV of a pool from
// GET /api/v2/networks/{network}/pools/{pool}/ohlcv/minute?aggregate=5&before_timestamp=..
// &limit=..  (the ApiClient's base URL is the bare host; it also enforces the public
// 30 calls/min). A token id is a pool address; prices are the pool's base token in USD,
// volume is USD volume. Intervals without swaps are skipped by the API (gaps stay gaps).
//
// The API answers newest first, so a fetch pages backwards: before_timestamp starts at the
// open time of the bar still in progress at `now` and then moves to the oldest row seen,
// until a page reaches `after`, comes back short (fewer than `limit` rows: history is
// exhausted) or makes no progress. Rows are then sorted ascending, deduplicated (pages
// may overlap by a row), and only bars with after < open time <= last bar complete at
// `now` are kept. There is no context on this endpoint: every context field stays
// missing, and liquidity_removed is false.
//
// Thread-safety: one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/net/api_client.h"
#include "collector/source.h"
#include "collector/sources/provider_options.h"
#include "collector/sources/provider_json.h"

namespace snipe::collector {


class GeckoTerminalSource final : public Source {
 public:
  // `api` must outlive the source. `now` (Unix s) is read once here and bounds every
  // fetch. Throws ConfigError on invalid options.
  GeckoTerminalSource(ApiClient& api, GeckoTerminalOptions options, std::int64_t now = unix_now());

  std::string_view kind() const override { return "geckoterminal"; }

  // `pools` in config order, repeats dropped.
  std::vector<std::string> list_tokens() override;

  // Bars of `pool` with open time > `after`, ascending, no duplicates; context all missing.
  FetchedSeries fetch(const std::string& pool, std::int64_t after) override;

  // {"open_bar": ..}: the bar in progress when the job was planned bounds every fetch.
  std::string snapshot() const override;
  void restore(const std::string& snapshot) override;

 private:
  CandleSeries fetch_bars(const std::string& pool, std::int64_t after);

  ApiClient& api_;
  GeckoTerminalOptions options_;
  std::int64_t open_bar_ = 0;  // open time of the bar in progress at `now`, Unix s
};

}  // namespace snipe::collector
