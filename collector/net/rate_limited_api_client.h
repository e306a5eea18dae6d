#pragma once
// ApiClient over an HttpClient: per-account token buckets, key rotation, retries.
//
// For each get_json() call:
//  * pick a key: the account whose budget frees soonest (ties: round-robin over accounts),
//    then round-robin over that account's enabled keys; wait on that account's limiter;
//  * 2xx with a JSON body           -> done;
//  * 2xx with unparsable/cut body   -> retry (backoff) up to malformed_retries times, then
//                                      SourceError("malformed_json");
//  * 429                            -> pause that account for Retry-After (seconds, clamped
//                                      to retry_after_cap) or exponential backoff, plus
//                                      jitter; retry (another account may go first);
//  * 5xx, timeout, transport error  -> capped exponential backoff with jitter, retry;
//  * 401/403 (keyed providers)      -> disable that key (warning with the masked key) and
//                                      retry at once with another; none left ->
//                                      SourceError("no_key_left");
//  * other status                   -> SourceError("http_<status>"), no retry.
// 429s, 5xx and transport errors share max_attempts; when they run out:
// SourceError("retries_exhausted") naming the last failure. Messages and logs never
// contain a key: only mask_key(), and server text is scrubbed of every key.
//
// Budget: account A may send requests_per_second/minute x share.account_budget_fraction[A]
// x rate_safety. A keyless provider (key_header empty) is one account, kAnonymousAccount:
// pass share_keys({}, rank, size) so the provider's global limit is split across ranks.
//
// Thread-safety: none; one client per rank thread (it owns limiters and counters).

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/net/api_client.h"
#include "shared/core/clock.h"
#include "collector/net/http_client.h"
#include "collector/net/keys.h"
#include "collector/net/token_bucket.h"

namespace snipe::collector {

struct ApiClientOptions {
  std::string base_url;                  // scheme://host[:port], no trailing '/'
  std::string key_header = "X-API-KEY";  // header carrying the key; empty: provider without keys
  Headers default_headers;               // sent with every request (e.g. x-chain, accept)
  double requests_per_second = 1.0;      // per account, before this rank's budget fraction
  double requests_per_minute = 60.0;     // per account, before this rank's budget fraction
  double rate_safety = 0.98;             // share of the limits used; absorbs network jitter
  int max_attempts = 6;                  // tries per call over 429s, 5xx and transport errors
  int malformed_retries = 2;             // extra tries after an unparsable 2xx body
  std::uint64_t jitter_seed = 1;         // seeds the jitter; give each rank its own
  std::chrono::milliseconds timeout{10'000};           // per HTTP request, connect included
  std::chrono::milliseconds backoff_base{500};         // first exponential backoff step
  std::chrono::milliseconds backoff_cap{30'000};       // largest exponential backoff step
  std::chrono::milliseconds retry_after_cap{300'000};  // longest Retry-After honoured
};

// What the client did, for benchmarks and the quality report. Monotonic.
struct ApiClientCounters {
  std::uint64_t calls = 0;             // get_json() calls
  std::uint64_t requests_sent = 0;     // HTTP requests attempted (first tries and retries)
  std::uint64_t retries = 0;           // requests after the first of a call, any cause
  std::uint64_t responses_429 = 0;     // rate-limited answers
  std::uint64_t server_errors = 0;     // 5xx answers
  std::uint64_t transport_errors = 0;  // timeouts, refused or reset connections, cut transfers
  std::uint64_t malformed_bodies = 0;  // 2xx answers whose body was not JSON
  std::uint64_t keys_disabled = 0;     // keys rejected with 401/403
};

class RateLimitedApiClient final : public ApiClient {
 public:
  // `http` and `clock` must outlive the client. Keys of accounts without a budget fraction
  // in `share` are not used. Throws ConfigError on bad options.
  RateLimitedApiClient(ApiClientOptions options, HttpClient& http, Clock& clock,
                       RankKeyShare share);

  nlohmann::json get_json(const std::string& path_and_query, const Headers& headers) override;

  const ApiClientCounters& counters() const { return counters_; }
  std::size_t enabled_key_count() const;

 private:
  struct KeySlot {
    std::string secret;  // empty for a provider without keys
    bool enabled = true;
  };
  struct Account {
    std::string name;
    AccountLimiter limiter;
    std::vector<KeySlot> keys;
    std::size_t next_key = 0;  // round-robin cursor into keys
  };
  struct Pick {
    std::size_t account;
    std::size_t key;
  };
  struct Outcome;
  struct CallState;

  void add_accounts(const RankKeyShare& share);
  bool has_enabled_key(const Account& account) const;
  Pick pick_key(const CallState& call);
  HttpResponse send(const Pick& pick, const std::string& path_and_query, const Headers& headers);
  Outcome classify(HttpResponse response) const;
  void handle_failure(const Pick& pick, const Outcome& outcome, CallState& call);
  void disable_key(const Pick& pick, const CallState& call);
  void wait_after_malformed(CallState& call);
  void wait_after_transient(const Pick& pick, const Outcome& outcome, CallState& call);
  std::chrono::milliseconds backoff_delay(int failures);
  std::chrono::milliseconds rate_limit_delay(const Outcome& outcome, int failures);
  [[noreturn]] void give_up(const std::string& reason, const std::string& what,
                            const CallState& call) const;
  std::string redact(std::string text) const;

  ApiClientOptions options_;
  HttpClient& http_;
  Clock& clock_;
  std::vector<Account> accounts_;  // sorted by name
  std::size_t last_account_ = 0;   // round-robin cursor into accounts_
  std::mt19937_64 jitter_;
  ApiClientCounters counters_;
};

}  // namespace snipe::collector
