// torch.ops.snipe.bilstm against torch.lstm: the same forward values bit for bit (so a
// model trained with it exports with torch.lstm unchanged) and the same gradients for the
// input and all eight weight tensors, in both directions.

#include "trainer/model/lstm_kernel.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace snipe::trainer {
namespace {

struct LstmCase {
  std::int64_t batch, steps, input, hidden;
};

std::vector<torch::Tensor> random_weights(std::int64_t input, std::int64_t hidden) {
  std::vector<torch::Tensor> w;
  for (int direction = 0; direction < 2; ++direction) {
    w.push_back(torch::randn({4 * hidden, input}) * 0.3);
    w.push_back(torch::randn({4 * hidden, hidden}) * 0.3);
    w.push_back(torch::randn({4 * hidden}) * 0.3);
    w.push_back(torch::randn({4 * hidden}) * 0.3);
  }
  for (auto& t : w) t.requires_grad_(true);
  return w;
}

torch::Tensor reference(const torch::Tensor& x, const std::vector<torch::Tensor>& w, std::int64_t hidden) {
  const auto h0 = torch::zeros({2, x.size(0), hidden});
  return std::get<0>(torch::lstm(x, {h0, h0}, w, true, 1, 0.0, true, true, true));
}

torch::Tensor ours(const torch::Tensor& x, const std::vector<torch::Tensor>& w) {
  return bilstm(x, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
}

class BilstmKernel : public ::testing::TestWithParam<LstmCase> {};

TEST_P(BilstmKernel, ForwardEqualsTorchLstmBitForBit) {
  const LstmCase c = GetParam();
  torch::manual_seed(1);
  const auto x = torch::randn({c.batch, c.steps, c.input});
  const auto w = random_weights(c.input, c.hidden);
  const torch::NoGradGuard no_grad;
  const auto expected = reference(x, w, c.hidden);
  const auto actual = ours(x, w);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  EXPECT_TRUE(torch::equal(actual, expected)) << "max diff " << (actual - expected).abs().max().item<double>();
}

TEST_P(BilstmKernel, GradientsMatchAutogradThroughTorchLstm) {
  const LstmCase c = GetParam();
  torch::manual_seed(2);
  const auto x_ref = torch::randn({c.batch, c.steps, c.input}).requires_grad_(true);
  const auto x = x_ref.detach().clone().requires_grad_(true);
  const auto w_ref = random_weights(c.input, c.hidden);
  std::vector<torch::Tensor> w;
  for (const auto& t : w_ref) w.push_back(t.detach().clone().requires_grad_(true));
  // A loss that weighs every output element differently, so no gradient term can cancel.
  const auto weights = torch::randn({c.batch, c.steps, 2 * c.hidden});
  (reference(x_ref, w_ref, c.hidden) * weights).sum().backward();
  (ours(x, w) * weights).sum().backward();
  const auto close = [](const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() <= 1e-5 * std::max(1.0, b.abs().max().item<double>());
  };
  EXPECT_TRUE(close(x.grad(), x_ref.grad())) << "input";
  const char* names[] = {"w_ih", "w_hh", "b_ih", "b_hh", "w_ih_r", "w_hh_r", "b_ih_r", "b_hh_r"};
  for (std::size_t i = 0; i < w.size(); ++i) {
    EXPECT_TRUE(close(w[i].grad(), w_ref[i].grad()))
        << names[i] << " max diff " << (w[i].grad() - w_ref[i].grad()).abs().max().item<double>();
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, BilstmKernel,
                         ::testing::Values(LstmCase{1, 1, 3, 2}, LstmCase{4, 7, 5, 3}, LstmCase{3, 20, 24, 16},
                                           LstmCase{32, 12, 24, 128}));

// The feature input of the first layer needs no gradient and arrives as a view; with two
// threads the fused loops split the batch rows between them.
TEST(BilstmKernel, NonContiguousInputWithoutGradientAndTwoThreads) {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(2);
  torch::manual_seed(4);
  const auto x = torch::randn({40, 32, 24}).transpose(0, 1);  // [32, 40, 24], not contiguous
  const auto w_ref = random_weights(24, 16);
  std::vector<torch::Tensor> w;
  for (const auto& t : w_ref) w.push_back(t.detach().clone().requires_grad_(true));
  const auto weights = torch::randn({32, 40, 32});
  const auto expected = reference(x, w_ref, 16);
  const auto actual = ours(x, w);
  EXPECT_TRUE(torch::equal(actual, expected));
  (expected * weights).sum().backward();
  (actual * weights).sum().backward();
  for (std::size_t i = 0; i < w.size(); ++i) {
    EXPECT_LE((w[i].grad() - w_ref[i].grad()).abs().max().item<double>(),
              1e-5 * std::max(1.0, w_ref[i].grad().abs().max().item<double>()))
        << i;
  }
  torch::set_num_threads(threads);
}

TEST(BilstmKernel, WeightsOfTheWrongShapeAreRefused) {
  const auto x = torch::randn({2, 3, 4});
  auto w = random_weights(4, 3);
  w[2] = torch::randn({1});  // a bias that would broadcast
  EXPECT_THROW(ours(x, w), c10::Error);
}

TEST(BilstmKernelOp, IsCallableFromTorchScript) {
  torch::jit::Module module("M");
  module.define(R"(
def forward(self, x, a, b, c, d, e, f, g, h):
    return snipe.bilstm(x, a, b, c, d, e, f, g, h)
)",
                snipe_ops_resolver());
  torch::manual_seed(3);
  const auto x = torch::randn({2, 5, 4});
  const auto w = random_weights(4, 3);
  std::vector<torch::jit::IValue> args{x};
  for (const auto& t : w) args.emplace_back(t);
  const auto out = module.forward(args).toTensor();
  EXPECT_TRUE(torch::equal(out, ours(x, w)));
}

}  // namespace
}  // namespace snipe::trainer
