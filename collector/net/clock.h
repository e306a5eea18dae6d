#pragma once
// Time for the network layer, behind an interface (LevelDB's Env idea) so rate limits and
// backoff can be tested with a fake clock that never waits.

#include <chrono>

namespace snipe::collector {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time since an arbitrary epoch, milliseconds. Never goes backwards.
  virtual std::chrono::milliseconds now() const = 0;
  // Blocks the calling thread for `duration` (no-op when <= 0).
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// std::chrono::steady_clock and std::this_thread::sleep_for. Stateless: safe from any thread.
class RealClock final : public Clock {
 public:
  std::chrono::milliseconds now() const override;
  void sleep_for(std::chrono::milliseconds duration) override;
};

}  // namespace snipe::collector
