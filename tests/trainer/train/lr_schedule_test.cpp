#include "trainer/train/lr_schedule.h"

#include <gtest/gtest.h>

#include "shared/core/errors.h"

namespace snipe::trainer {
namespace {

const LrSchedule kSchedule{.peak_lr = 1e-3, .min_lr = 1e-5, .warmup_steps = 10, .total_steps = 110};

TEST(LrSchedule, WarmsUpLinearlyToThePeak) {
  EXPECT_DOUBLE_EQ(kSchedule.at(0), 1e-4);  // 1/10 of the peak
  EXPECT_DOUBLE_EQ(kSchedule.at(4), 5e-4);
  EXPECT_DOUBLE_EQ(kSchedule.at(9), 1e-3);
}

TEST(LrSchedule, DecaysAlongACosineToTheFloor) {
  EXPECT_DOUBLE_EQ(kSchedule.at(10), 1e-3);                         // cos(0) = 1
  EXPECT_NEAR(kSchedule.at(60), 1e-5 + (1e-3 - 1e-5) * 0.5, 1e-15);  // halfway: cos(pi/2) = 0
  EXPECT_NEAR(kSchedule.at(110), 1e-5, 1e-15);                      // cos(pi) = -1
  EXPECT_NEAR(kSchedule.at(5000), 1e-5, 1e-15) << "past the end it stays at the floor";
  for (std::int64_t step = 10; step < 110; ++step) EXPECT_GE(kSchedule.at(step), kSchedule.at(step + 1));
}

TEST(LrSchedule, ImpossibleSchedulesAreConfigErrors) {
  EXPECT_NO_THROW(validate_lr_schedule(kSchedule));
  EXPECT_THROW(validate_lr_schedule({.peak_lr = 1e-3, .min_lr = 1e-2}), ConfigError);
  EXPECT_THROW(validate_lr_schedule({.warmup_steps = 0}), ConfigError);
  EXPECT_THROW(validate_lr_schedule({.warmup_steps = 50, .total_steps = 10}), ConfigError);
}

}  // namespace
}  // namespace snipe::trainer
