#pragma once
// A Clock for tests: sleep_for advances time instantly and records every sleep, so backoff
// and rate limits can be asserted without waiting. Not thread-safe (one test thread).

#include <chrono>
#include <cstdint>
#include <vector>

#include "shared/core/clock.h"

namespace snipe::testing {

class FakeClock final : public Clock {
 public:
  // Starts well away from 0 so "time 0" bugs show up.
  explicit FakeClock(std::chrono::milliseconds start = std::chrono::milliseconds(1'000'000))
      : start_(start), now_(start) {}

  std::chrono::milliseconds now() const override { return now_; }

  // 2026-01-01T00:00:00Z plus the time passed on this clock.
  std::int64_t unix_seconds() const override {
    return kUnixStart + std::chrono::duration_cast<std::chrono::seconds>(now_ - start_).count();
  }

  void sleep_for(std::chrono::milliseconds duration) override {
    sleeps_.push_back(duration);
    if (duration.count() > 0) now_ += duration;
  }

  // Time passing without anyone sleeping (e.g. work done elsewhere).
  void advance(std::chrono::milliseconds duration) { now_ += duration; }

  // Every sleep_for argument, in call order.
  const std::vector<std::chrono::milliseconds>& sleeps() const { return sleeps_; }
  std::chrono::milliseconds total_slept() const {
    std::chrono::milliseconds total{0};
    for (const auto s : sleeps_) total += s;
    return total;
  }
  void clear_sleeps() { sleeps_.clear(); }

 private:
  static constexpr std::int64_t kUnixStart = 1767225600;
  std::chrono::milliseconds start_;
  std::chrono::milliseconds now_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace snipe::testing
