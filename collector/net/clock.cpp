#include "collector/net/clock.h"

#include <thread>

namespace snipe::collector {

std::chrono::milliseconds RealClock::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

void RealClock::sleep_for(std::chrono::milliseconds duration) {
  if (duration.count() > 0) std::this_thread::sleep_for(duration);
}

}  // namespace snipe::collector
