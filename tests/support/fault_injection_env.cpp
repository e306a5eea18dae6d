#include "tests/support/fault_injection_env.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/core/atomic_file.h"

namespace snipe::testing {

void FaultInjectionEnv::act(FaultAction action, const std::string& where) {
  switch (action) {
    case FaultAction::kKill:
      spdlog::warn("test fault: SIGKILL at {}", where);
      ::kill(::getpid(), SIGKILL);
      break;
    case FaultAction::kStall:
      spdlog::warn("test fault: this rank stops for good at {}", where);
      while (true) std::this_thread::sleep_for(std::chrono::hours(1));
    case FaultAction::kThrow:
      ++injected_;
      throw std::logic_error("injected test exception at " + where);
  }
}

void FaultInjectionEnv::reached(FaultPoint point, std::int64_t count) {
  for (Armed& armed : plans_) {
    if (armed.fired || armed.fault.point != point || count < armed.fault.count) continue;
    armed.fired = true;
    act(armed.fault.action, fmt::format("{} {}", fault_point_name(point), count));
  }
}

void FaultInjectionEnv::write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  const std::string name = target.filename().string();
  const int nth = ++writes_[name];
  const auto cut = std::find_if(cuts_.begin(), cuts_.end(),
                                [&](const CutWrite& c) { return c.file_name == name && c.nth == nth; });
  if (cut == cuts_.end()) return base_.write_file_atomically(target, content);
  // What AtomicFile has done when a crash hits just before its rename.
  std::ofstream(atomic_temp_path(target), std::ios::binary).write(content.data(),
                                                                   static_cast<std::streamsize>(content.size()));
  act(cut->action, fmt::format("the write of {} before its rename", target.string()));
}

}  // namespace snipe::testing
