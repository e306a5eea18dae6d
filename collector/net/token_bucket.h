#pragma once
// Client-side rate limiting: token buckets driven by a Clock.
//
// Thread-safety: none. Each rank runs its network calls on one thread and owns its
// limiters; a multi-threaded user (the mock server) must lock around every call.

#include <chrono>

#include "shared/core/clock.h"

namespace snipe::collector {

// A provider's published limits for one account. A value <= 0 means "no limit".
struct RateLimit {
  double per_second = 0.0;  // requests per second
  double per_minute = 0.0;  // requests per minute
};

// `per_window` tokens per `window`, holding at most max(1, per_window) tokens; starts full
// (a fresh client may burst one window's worth, as the provider's own bucket allows).
class TokenBucket {
 public:
  // per_window <= 0: unlimited (always has a token).
  TokenBucket(double per_window, std::chrono::milliseconds window, std::chrono::milliseconds now);

  // 0 when a token is available at `now`, else how long until one is.
  std::chrono::milliseconds time_until_token(std::chrono::milliseconds now);
  // Takes one token. REQUIRES: time_until_token(now) == 0.
  void take(std::chrono::milliseconds now);
  // Drops every token (the provider told us we were over the limit).
  void empty(std::chrono::milliseconds now);

 private:
  void refill(std::chrono::milliseconds now);

  bool unlimited_;
  double capacity_ = 1.0;              // tokens
  double ms_per_token_ = 0;            // refill interval
  double tokens_ = 0;                  // current level, 0..capacity_
  std::chrono::milliseconds last_{0};  // time of the last refill
};

// One account's budget: a per-second and a per-minute bucket that must both allow a
// request, plus a pause after a 429.
class AccountLimiter {
 public:
  AccountLimiter(RateLimit limit, Clock& clock);

  // How long acquire() would sleep now; 0 when a request may go out immediately.
  std::chrono::milliseconds wait_time();
  // Sleeps (Clock::sleep_for) until both buckets allow a request, then takes a token from
  // each.
  void acquire();
  // Takes a token from each bucket if both have one right now (never sleeps); false
  // otherwise, taking nothing. For servers that enforce a limit rather than obey it.
  bool try_acquire();
  // After a 429: empties both buckets and allows nothing for `pause`.
  void drain_for(std::chrono::milliseconds pause);

 private:
  Clock* clock_;
  TokenBucket second_;
  TokenBucket minute_;
  std::chrono::milliseconds paused_until_{0};
};

}  // namespace snipe::collector
