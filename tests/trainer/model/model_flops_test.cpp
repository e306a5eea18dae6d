#include "trainer/model/model_flops.h"

#include <gtest/gtest.h>

#include "shared/core/errors.h"

namespace snipe::trainer {
namespace {

// Fc = Fi = 1 (F = 2), h1 = h2 = 2 (D = 4), one head, Fx = Ch = Hh = 1.
ModelOptions tiny_options() {
  ModelOptions o;
  o.candle_features = 1;
  o.indicator_features = 1;
  o.context_features = 1;
  o.lstm1_hidden = 2;
  o.lstm2_hidden = 2;
  o.heads = 1;
  o.context_hidden = 1;
  o.head_hidden = 1;
  return o;
}

// T = 3, counted product by product (multiply-adds, then x 2):
//   LSTM1, per direction and step: W_ih [8, 2] x + W_hh [8, 2] h = 16 + 16 = 32 MACs;
//          x 2 directions x 3 steps = 192 MACs                        =  384 FLOPs
//   LSTM2: W_ih [8, 4] + W_hh [8, 2] = 32 + 16 = 48 MACs; x 6       =  576
//   residual [4, 4] per step: 16 MACs x 3                             =   96
//   Q, K, V, O [4, 4] per step: 4 x 16 x 3 = 192 MACs                 =  384
//   Q K^T [3, 4] x [4, 3] = 36 MACs; weights x V [3, 3] x [3, 4] = 36 =  144
//   pooling scores [3, 4] x [4] = 12 MACs                             =   24
//   context [1, 1] = 1 MAC                                            =    2
//   trunk [1, 4 + 1] = 5 MACs                                         =   10
//   three heads [1, 1] = 3 MACs                                       =    6
//   forward total                                                     = 1626
TEST(ModelFlops, TinyModelMatchesACountByHand) {
  EXPECT_DOUBLE_EQ(forward_flops_per_example(tiny_options(), 3), 1626.0);
  EXPECT_DOUBLE_EQ(training_flops_per_example(tiny_options(), 3), 3.0 * 1626.0);
}

// Defaults: F = 24, h1 = 128, h2 = 64, D = 128, 4 heads, Fx = 12, Ch = 32, Hh = 64; T = 100.
//   LSTM1: 2 dirs x 100 x 2 x 512 x (24 + 128)  = 204,800 x 152       = 31,129,600
//   LSTM2: 2 dirs x 100 x 2 x 256 x (256 + 64)  = 102,400 x 320       = 32,768,000
//   residual: 100 x 2 x 256 x 128                                     =  6,553,600
//   Q, K, V, O: 4 x 100 x 2 x 128 x 128                               = 13,107,200
//   Q K^T and weights x V: 2 x 2 x 100^2 x 128 (heads x 32 = 128)     =  5,120,000
//   pooling scores: 100 x 2 x 128                                     =     25,600
//   context 2 x 12 x 32 = 768; trunk 2 x 160 x 64 = 20,480; heads 3 x 2 x 64 = 384
//   forward total                                                     = 88,725,632
TEST(ModelFlops, DefaultModelAtAHundredStepsMatchesACountByHand) {
  EXPECT_DOUBLE_EQ(forward_flops_per_example(ModelOptions{}, 100), 88'725'632.0);
  EXPECT_DOUBLE_EQ(training_flops_per_example(ModelOptions{}, 100), 266'176'896.0);
}

// Splitting D into more heads makes more, smaller products: the same multiply-adds.
TEST(ModelFlops, HeadCountDoesNotChangeTheWork) {
  ModelOptions two_heads = tiny_options();
  two_heads.heads = 2;
  EXPECT_DOUBLE_EQ(forward_flops_per_example(two_heads, 3), 1626.0);
}

// The tiny model at T = 3 splits into per-step products (LSTMs, residual, Q/K/V/O, pooling
// scores: 384 + 576 + 96 + 384 + 24 = 1464), per-example ones (context, trunk, heads:
// 2 + 10 + 6 = 18) and the T^2 attention products (144). At T = 6 the first double, the
// second stay and the third quadruple: 2 x 1464 + 18 + 4 x 144 = 3522.
TEST(ModelFlops, AttentionGrowsWithTheSquareOfTheWindow) {
  EXPECT_DOUBLE_EQ(forward_flops_per_example(tiny_options(), 6), 3522.0);
}

// Mean+last pooling drops the pooling scores (T x 2D = 2 x 100 x 128 = 25,600 FLOPs at the
// defaults) and doubles the pooled width the trunk reads (2 x D x Hh = 2 x 128 x 64 =
// 16,384 more): 88,725,632 - 25,600 + 16,384 = 88,716,416.
TEST(ModelFlops, MeanLastPoolingCountsItsWiderTrunkAndNoScores) {
  ModelOptions mean_last;
  mean_last.pooling = Pooling::kMeanLast;
  EXPECT_DOUBLE_EQ(forward_flops_per_example(mean_last, 100), 88'716'416.0);
}

TEST(ModelFlops, ImpossibleSizesAreConfigErrors) {
  EXPECT_THROW(forward_flops_per_example(tiny_options(), 0), ConfigError);
  ModelOptions no_hidden = tiny_options();
  no_hidden.lstm1_hidden = 0;
  EXPECT_THROW(forward_flops_per_example(no_hidden, 3), ConfigError);
  ModelOptions no_indicators = tiny_options();
  no_indicators.indicator_features = 0;  // allowed: LSTM1 input [8, 1] -> 8 MACs less per step
  EXPECT_DOUBLE_EQ(forward_flops_per_example(no_indicators, 3), 1626.0 - 2 * 3 * 8 * 2);
}

}  // namespace
}  // namespace snipe::trainer
