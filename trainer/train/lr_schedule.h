#pragma once
// Learning rate per optimizer step: linear warmup from 0 to the peak, then cosine decay
// to `min_lr`. A pure function of the step, so a resumed run continues on the same curve.

#include <cstdint>

namespace snipe::trainer {

struct LrSchedule {
  double peak_lr = 1e-3;          // reached at the end of the warmup
  double min_lr = 1e-5;           // the floor the cosine decays to
  std::int64_t warmup_steps = 100;
  std::int64_t total_steps = 10'000;  // warmup included; steps past it stay at min_lr

  // step counts from 0: step 0 takes peak_lr / warmup_steps (a zero first step would
  // waste a batch), step warmup_steps - 1 takes peak_lr.
  double at(std::int64_t step) const;
};

// Throws ConfigError naming the field: peak_lr > 0, 0 <= min_lr <= peak_lr,
// warmup_steps >= 1, total_steps >= warmup_steps.
void validate_lr_schedule(const LrSchedule& schedule);

}  // namespace snipe::trainer
