#pragma once
// A Clock for tests: sleep_for advances time instantly and records every sleep, so backoff
// and rate limits can be asserted without waiting. Not thread-safe (one test thread).

#include <chrono>
#include <vector>

#include "collector/net/clock.h"

namespace snipe::testing {

class FakeClock final : public collector::Clock {
 public:
  // Starts well away from 0 so "time 0" bugs show up.
  explicit FakeClock(std::chrono::milliseconds start = std::chrono::milliseconds(1'000'000))
      : now_(start) {}

  std::chrono::milliseconds now() const override { return now_; }

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
  std::chrono::milliseconds now_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace snipe::testing
