#pragma once
// Pure helpers of the HTTP provider sources (Birdeye, GeckoTerminal): parsers for the
// providers' JSON answers (no I/O, so they are tested on hand-written samples), URL
// query building and 5-minute bar arithmetic.
//
// Every parser throws SourceError("malformed_response", "<provider> <endpoint>: field
// <path>: <problem>") on a shape it does not expect (missing field, wrong type,
// success=false); none of them crashes on any JSON value. Fields that only add context
// (token_security, token_overview) may be absent or null: they come back as nullopt,
// never as an invented value. Thread-safe: no state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/market/candle.h"

namespace snipe::collector {

inline constexpr std::int64_t kBarSeconds = 300;  // both sources collect 5-minute bars

// Bar open time at or before `t` / at or after `t` (Unix seconds, bars aligned on 300 s).
std::int64_t floor_to_bar(std::int64_t t);
std::int64_t ceil_to_bar(std::int64_t t);

// Wall clock, Unix seconds. Sources read it once, at construction.
std::int64_t unix_now();

// Sorts by timestamp and keeps the first bar seen of each timestamp (pages may overlap).
void sort_unique_bars(CandleSeries& bars);

// Keeps the bars with first <= timestamp <= last.
void keep_bars_between(CandleSeries& bars, std::int64_t first, std::int64_t last);

// RFC 3986 percent-encoding of one query value or path segment; only the unreserved
// characters (A-Z a-z 0-9 - . _ ~) stay as they are.
std::string percent_encode(std::string_view value);

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // in request order
// "?k1=v1&k2=v2" with keys and values percent-encoded; "" when `params` is empty.
std::string query_string(const QueryParams& params);

// ---- Birdeye (public-api.birdeye.so) ----

// GET /defi/ohlcv: {"success":true,"data":{"items":[{"o","h","l","c","v","unixTime",
// "address","type"}]}}. o/h/l/c are USD, v is the traded token amount (Birdeye's docs),
// returned as USD volume v * c. Bars in response order.
CandleSeries parse_birdeye_ohlcv(const nlohmann::json& body);

struct NewListing {
  std::string address;         // token mint address
  std::int64_t listed_at = 0;  // liquidityAddedAt: when liquidity was first added, Unix s
};
// GET /defi/v2/tokens/new_listing: {"success":true,"data":{"items":[{"address",
// "liquidityAddedAt",...}]}}. Items in response order (the API lists newest first).
std::vector<NewListing> parse_birdeye_new_listing(const nlohmann::json& body);

// Facts from GET /defi/token_security, as Birdeye reports them at call time (not at
// launch). Each is nullopt when the field is absent or null.
struct TokenSecurity {
  std::optional<double> top10_holder_share;      // top10HolderPercent, a fraction 0..1
  std::optional<bool> mint_authority_revoked;    // ownerAddress == null (Birdeye's documented rule)
  std::optional<bool> freeze_authority_revoked;  // freezeAuthority == null
  std::optional<std::string> creator_address;    // creatorAddress
  std::optional<std::int64_t> created_at;        // creationTime, Unix s
};
TokenSecurity parse_birdeye_token_security(const nlohmann::json& body);

// Facts from GET /defi/token_overview (only what the sources use).
struct TokenOverview {
  std::optional<double> liquidity_usd;  // "liquidity": USD liquidity NOW, not at launch
};
TokenOverview parse_birdeye_token_overview(const nlohmann::json& body);

// GET /defi/token_creation_info: data.blockUnixTime (Solana only); nullopt when absent/null.
std::optional<std::int64_t> parse_birdeye_creation_time(const nlohmann::json& body);

// ---- GeckoTerminal (api.geckoterminal.com) ----

// GET /api/v2/networks/{network}/pools/{pool}/ohlcv/minute: {"data":{"attributes":
// {"ohlcv_list":[[ts, o, h, l, c, v], ...]}}, "meta":{...}}. Rows in response order (the
// API lists newest first); v is USD volume.
CandleSeries parse_geckoterminal_ohlcv(const nlohmann::json& body);

}  // namespace snipe::collector
