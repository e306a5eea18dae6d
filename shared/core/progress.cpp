#include "shared/core/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace snipe {

Progress::Progress(std::string label, std::size_t total, bool enabled, std::chrono::seconds interval)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) == 1),
      interval_(interval),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_) finish();
}

void Progress::advance(std::size_t n) {
  done_ += n;
  draw(false);
}

void Progress::finish() {
  draw(true);
  if (enabled_ && tty_) std::fputc('\n', stderr);
  finished_ = true;
}

void Progress::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const auto since_draw = now - last_draw_;
  if (!force && since_draw < (tty_ ? std::chrono::milliseconds(100) : interval_)) return;
  last_draw_ = now;
  const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done_) / static_cast<double>(total_);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r{} [{:=<{}}{: <{}}] {}/{} {:.0f}s", label_, "", filled, "",
               kWidth - filled, done_, total_, elapsed);
    std::fflush(stderr);
  } else {
    spdlog::info("{}: {}/{} ({:.0f}%) after {:.0f}s", label_, done_, total_, 100.0 * fraction, elapsed);
  }
}

}  // namespace snipe
