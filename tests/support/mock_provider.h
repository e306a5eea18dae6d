#pragma once
// A loopback mock of the market-data providers for tests and benchmarks: a cpp-httplib
// server on 127.0.0.1 (ephemeral port, background thread) speaking Birdeye's and
// GeckoTerminal's real formats, enforcing per-account rate limits and injecting faults.
//
// Birdeye (keys in `X-API-KEY`, chain in `x-chain`, absent = "solana"):
//   GET /defi/ohlcv?address=&type=5m&time_from=&time_to=   bars with time_from <= unixTime
//       <= time_to, ascending, at most 1000 (the first ones) -> {"success":true,"data":
//       {"items":[{"o","h","l","c","v","unixTime","address","type":"5m"}]}}; unknown token:
//       empty items; another `type`: 400.
//   GET /defi/v2/tokens/new_listing?time_to=&limit=        listings with liquidityAddedAt
//       <= time_to (default: all), newest first, limit 1..10 (default 10, else 400) ->
//       {"success":true,"data":{"items":[{"address","symbol","name","decimals",
//       "liquidityAddedAt","liquidity"}]}}
//   GET /defi/token_security?address=   {"success":true,"statusCode":200,"data":<set>}
//   GET /defi/token_overview?address=   {"success":true,"data":<set>}
//   GET /defi/token_creation_info?address=   {"success":true,"data":<set>}
//       (the data objects are whatever the test set, in Birdeye's field names; unknown
//       token: data = {} for security/overview, null for creation info)
//   Missing or unknown key: 401; revoked key: 403 (bodies echo the key, as careless
//   providers do, so tests prove the client never repeats it); another chain: 400.
// GeckoTerminal (no key; every caller shares the anonymous account's limits):
//   GET /api/v2/networks/{network}/pools/{pool}/ohlcv/minute?aggregate=5&before_timestamp=
//       &limit=   bars with timestamp < before_timestamp (default: all), newest first,
//       limit 1..1000 (default 100) -> {"data":{"id","type":"ohlcv_request_response",
//       "attributes":{"ohlcv_list":[[ts,o,h,l,c,v],...]}},"meta":{"base":{...},
//       "quote":{...}}}; unknown pool or network: 404; other timeframe/aggregate: 400.
// Series are keyed by address: a token address for Birdeye, a pool address for
// GeckoTerminal.
//
// Thread-safety: every public method may be called from any thread while the server runs.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/net/token_bucket.h"
#include "shared/market/candle.h"

namespace snipe::testing {

// One injected misbehaviour, applied instead of (or, for kSlow, before) the normal answer.
struct Fault {
  enum class Kind {
    kStatus,         // answer `status` with a JSON error body (429: Retry-After if set)
    kSlow,           // wait `delay`, then answer normally (client timeouts)
    kMalformedJson,  // 200 with a body that is not JSON
    kTruncatedBody,  // 200 with the first half of the real body (Content-Length matches)
    kCloseMidBody,   // 200 announcing the full length, half sent, connection closed
  };
  Kind kind = Kind::kStatus;
  int status = 500;                    // kStatus
  std::optional<int> retry_after_s;    // kStatus: Retry-After header, seconds
  std::chrono::milliseconds delay{0};  // kSlow

  static Fault status_code(int code) { return {Kind::kStatus, code, std::nullopt, {}}; }
  static Fault too_many_requests(std::optional<int> retry_after_s) {
    return {Kind::kStatus, 429, retry_after_s, {}};
  }
  static Fault slow(std::chrono::milliseconds delay) {
    return {Kind::kSlow, 200, std::nullopt, delay};
  }
  static Fault malformed_json() { return {Kind::kMalformedJson, 200, std::nullopt, {}}; }
  static Fault truncated_body() { return {Kind::kTruncatedBody, 200, std::nullopt, {}}; }
  static Fault close_mid_body() { return {Kind::kCloseMidBody, 200, std::nullopt, {}}; }
};

// A row of /defi/v2/tokens/new_listing.
struct MockListing {
  std::string address;
  std::int64_t liquidity_added_at = 0;  // Unix s
  double liquidity = 0.0;               // USD
  std::string symbol = "MOCK";
  std::string name = "Mock Token";
  int decimals = 6;
};

// One request as the server saw it.
struct RecordedRequest {
  std::string path;                                   // "/defi/ohlcv"
  std::string query;                                  // raw, after '?', "" when none
  std::string api_key;                                // X-API-KEY as sent ("" when absent)
  std::string chain;                                  // x-chain as sent ("" when absent)
  int status = 0;                                     // status answered
  std::chrono::steady_clock::time_point received_at;  // when the handler started
};

struct MockProviderOptions {
  std::string chain = "solana";                  // the only Birdeye chain served
  std::string network = "solana";                // the only GeckoTerminal network served
  collector::RateLimit default_account_limit{};  // accounts without set_account_limit (unlimited)
  collector::RateLimit anonymous_limit{};        // GeckoTerminal callers (unlimited; the real
                                                 // service allows 30/min: {0, 30})
  bool send_retry_after = true;                  // 429s from the limiter carry Retry-After
};

class MockProvider {
 public:
  // Starts serving before returning; throws std::runtime_error when it cannot bind.
  explicit MockProvider(MockProviderOptions options = {});
  ~MockProvider();  // stops the server, cutting short slow faults
  MockProvider(const MockProvider&) = delete;
  MockProvider& operator=(const MockProvider&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:<port>"

  // Keys and accounts.
  void add_key(const std::string& account, const std::string& secret);
  void revoke_key(const std::string& secret);  // later requests with it get 403
  void set_account_limit(const std::string& account, collector::RateLimit limit);

  // Data served.
  void set_series(const std::string& address, CandleSeries candles);  // ascending timestamps
  void set_token_security(const std::string& address, nlohmann::json data);
  void set_token_overview(const std::string& address, nlohmann::json data);
  void set_token_creation_info(const std::string& address, nlohmann::json data);
  void set_new_listings(std::vector<MockListing> listings);

  // The next `count` requests whose path starts with `path_prefix` get `fault` (faults
  // queue in the order injected; one request consumes at most one fault).
  void inject(const std::string& path_prefix, Fault fault, int count = 1);

  // What happened so far.
  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;
  std::size_t responses_with_status(int status) const;
  std::map<int, std::size_t> status_counts() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snipe::testing
