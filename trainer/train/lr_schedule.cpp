#include "trainer/train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe::trainer {

double LrSchedule::at(std::int64_t step) const {
  if (step < warmup_steps) {
    return peak_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  }
  const std::int64_t decay_steps = std::max<std::int64_t>(total_steps - warmup_steps, 1);
  const double progress =
      std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps));
  return min_lr + (peak_lr - min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

void validate_lr_schedule(const LrSchedule& s) {
  const auto fail = [](const char* field, auto value, const char* rule) {
    throw ConfigError(fmt::format("train.{} = {} must be {}", field, value, rule));
  };
  if (!(s.peak_lr > 0)) fail("peak_lr", s.peak_lr, "> 0");
  if (!(s.min_lr >= 0 && s.min_lr <= s.peak_lr)) fail("min_lr", s.min_lr, "in [0, peak_lr]");
  if (s.warmup_steps < 1) fail("warmup_steps", s.warmup_steps, ">= 1");
  if (s.total_steps < s.warmup_steps) fail("total_steps", s.total_steps, ">= warmup_steps");
}

}  // namespace snipe::trainer
