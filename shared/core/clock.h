#pragma once
// Time behind an interface (LevelDB's Env idea), part of the Env (env.h): rate limits,
// backoff and timestamps can be tested with a fake clock that never waits
// (tests/support/fake_clock.h).

#include <chrono>
#include <cstdint>

namespace snipe {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time since an arbitrary epoch, milliseconds. Never goes backwards.
  virtual std::chrono::milliseconds now() const = 0;
  // Wall-clock time: seconds since the Unix epoch (UTC). May jump.
  virtual std::int64_t unix_seconds() const = 0;
  // Blocks the calling thread for `duration` (no-op when <= 0).
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// std::chrono::steady_clock, system_clock and std::this_thread::sleep_for. Stateless:
// safe from any thread.
class RealClock final : public Clock {
 public:
  std::chrono::milliseconds now() const override;
  std::int64_t unix_seconds() const override;
  void sleep_for(std::chrono::milliseconds duration) override;
};

}  // namespace snipe
