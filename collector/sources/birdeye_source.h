#pragma once
// Birdeye (public-api.birdeye.so) as a Source: 5-minute OHLCV from /defi/ohlcv, token
// discovery from /defi/v2/tokens/new_listing, static context from /defi/token_security
// (and /defi/token_overview when asked). Keys, rate limits and retries live in the
// ApiClient; this class only builds requests (adding the `x-chain` header) and reads
// the answers.
//
// Time range of a token: bars with open time in [start, end], where
//   end   = min(time_to or +inf, last bar complete at `now`)  (a bar still open is never
//           returned, so an incremental fetch never stores a half-built bar), and
//   start = max(after + 1, time_from), or when both are 0 the bar holding the token's
//           listing time (liquidityAddedAt from discovery, else blockUnixTime from
//           /defi/token_creation_info; SourceError "no_start_time" when neither is known).
// /defi/ohlcv returns at most 1000 bars per call, so the range is read in consecutive
// windows of exactly 1000 bar slots ([from, from + 1000*300 - 1]), ascending; reading
// stops at the first empty window (a token with no trade for ~3.5 days is dead).
//
// Context caveat: Birdeye reports facts as of the call, not as of launch. The current
// top-10 share and authorities are used as they are (they rarely change after launch);
// the current liquidity is NOT used as initial liquidity unless `overview_liquidity` is
// set, because a rugged pool's liquidity of ~0 would leak the label into the inputs.
// Mapping: top10HolderPercent -> top10_holder_share; ownerAddress == null ->
// mint_authority_revoked = 1; token_overview liquidity -> initial_liquidity_usd (opt-in);
// (first bar - creationTime) / 3600 -> age_hours. lp_burned and creator_previous_launches
// stay missing: these endpoints do not report them (creatorAddress alone is no count).
//
// Thread-safety: one thread at a time (list_tokens caches the discovered listing times).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/net/api_client.h"
#include "collector/source.h"
#include "collector/sources/provider_options.h"
#include "collector/sources/provider_json.h"

namespace snipe::collector {


class BirdeyeSource final : public Source {
 public:
  // `api` must outlive the source. `now` (Unix s) is read once here: it fixes `end` and the
  // discovery cut-off, so ranks built within the same 5-minute bar agree on both (for
  // exact agreement across ranks, set time_to). Throws ConfigError on invalid options.
  BirdeyeSource(ApiClient& api, BirdeyeOptions options, std::int64_t now = unix_now());

  std::string_view kind() const override { return "birdeye"; }

  // `tokens` in config order (repeats dropped), or the discover_limit newest tokens listed
  // up to the cut-off (end of the last complete bar), sorted by listing time, oldest first,
  // ties by address. Discovery runs once; later calls return the same list.
  std::vector<std::string> list_tokens() override;

  // Bars with open time > `after` in the token's range, ascending, no duplicates. Context
  // is fetched after the bars; a failing context call leaves its fields missing (warning
  // logged) and does not fail the token. liquidity_removed is always false: Birdeye has
  // no liquidity-removal signal on these endpoints (rugs are labelled from prices).
  FetchedSeries fetch(const std::string& token, std::int64_t after) override;

  // {"end": .., "listed": [..] or null, "listed_at": {address: time}}
  std::string snapshot() const override;
  void restore(const std::string& snapshot) override;

 private:
  std::vector<std::string> discover();
  std::int64_t first_bar_time(const std::string& token, std::int64_t after);
  CandleSeries fetch_bars(const std::string& token, std::int64_t after);
  TokenContext fetch_context(const std::string& token, const CandleSeries& bars);
  nlohmann::json get(const std::string& path_and_query);

  ApiClient& api_;
  BirdeyeOptions options_;
  std::int64_t end_ = 0;                            // last bar open time to fetch, Unix s
  std::optional<std::vector<std::string>> listed_;  // list_tokens() result, once computed
  std::map<std::string, std::int64_t> listed_at_;   // [discovered token] -> liquidityAddedAt
};

}  // namespace snipe::collector
