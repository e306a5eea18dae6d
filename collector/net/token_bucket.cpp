#include "collector/net/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace snipe::collector {
namespace {

using std::chrono::milliseconds;

// Refill arithmetic is in doubles; a token this close to whole counts as whole, so a
// sleep of exactly the computed wait always suffices.
constexpr double kTokenEpsilon = 1e-9;

}  // namespace

TokenBucket::TokenBucket(double per_window, milliseconds window, milliseconds now)
    : unlimited_(!(per_window > 0.0) || std::isinf(per_window)), last_(now) {
  if (unlimited_) return;
  capacity_ = std::max(1.0, per_window);
  ms_per_token_ = static_cast<double>(window.count()) / per_window;
  tokens_ = capacity_;
}

void TokenBucket::refill(milliseconds now) {
  if (now <= last_) return;
  tokens_ =
      std::min(capacity_, tokens_ + static_cast<double>((now - last_).count()) / ms_per_token_);
  last_ = now;
}

milliseconds TokenBucket::time_until_token(milliseconds now) {
  if (unlimited_) return milliseconds(0);
  refill(now);
  const double missing = 1.0 - tokens_;
  if (missing <= kTokenEpsilon) return milliseconds(0);
  return milliseconds(static_cast<long long>(std::ceil(missing * ms_per_token_ - 1e-6)));
}

void TokenBucket::take(milliseconds now) {
  if (unlimited_) return;
  refill(now);
  tokens_ = std::max(0.0, tokens_ - 1.0);
}

void TokenBucket::empty(milliseconds now) {
  if (unlimited_) return;
  refill(now);
  tokens_ = 0.0;
}

AccountLimiter::AccountLimiter(RateLimit limit, Clock& clock)
    : clock_(&clock),
      second_(limit.per_second, std::chrono::seconds(1), clock.now()),
      minute_(limit.per_minute, std::chrono::minutes(1), clock.now()) {}

milliseconds AccountLimiter::wait_time() {
  const milliseconds now = clock_->now();
  const milliseconds paused = std::max(milliseconds(0), paused_until_ - now);
  return std::max({paused, second_.time_until_token(now), minute_.time_until_token(now)});
}

void AccountLimiter::acquire() {
  for (milliseconds wait = wait_time(); wait.count() > 0; wait = wait_time()) {
    clock_->sleep_for(wait);
  }
  const milliseconds now = clock_->now();
  second_.take(now);
  minute_.take(now);
}

bool AccountLimiter::try_acquire() {
  if (wait_time().count() > 0) return false;
  const milliseconds now = clock_->now();
  second_.take(now);
  minute_.take(now);
  return true;
}

void AccountLimiter::drain_for(milliseconds pause) {
  const milliseconds now = clock_->now();
  second_.empty(now);
  minute_.empty(now);
  paused_until_ = std::max(paused_until_, now + pause);
}

}  // namespace snipe::collector
