#include "trainer/model/attention_lstm.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "shared/core/errors.h"
#include "tests/support/temp_dir.h"

namespace snipe::trainer {
namespace {

// Small sizes keep the tests fast; the structure is the default model's.
const ModelOptions kSmall{.lstm1_hidden = 16, .lstm2_hidden = 8, .heads = 2, .context_hidden = 8,
                          .head_hidden = 16};

struct Inputs {
  torch::Tensor candles, indicators, context;
};
Inputs random_inputs(std::int64_t batch, std::int64_t window, std::uint64_t seed) {
  torch::manual_seed(seed);
  return {torch::randn({batch, window, 5}), torch::randn({batch, window, 19}), torch::randn({batch, 12})};
}

std::vector<torch::Tensor> outputs(torch::jit::Module& module, const std::string& method, const Inputs& in) {
  const auto tuple = module.get_method(method)({in.candles, in.indicators, in.context}).toTuple();
  std::vector<torch::Tensor> out;
  for (const auto& element : tuple->elements()) out.push_back(element.toTensor());
  return out;
}

TEST(AttentionLstm, ReturnsThreeHeadsWithProbabilitiesForTheBinaryOnes) {
  torch::jit::Module model = build_attention_lstm(kSmall, 1);
  model.eval();
  const auto out = outputs(model, "forward", random_inputs(6, 30, 2));
  ASSERT_EQ(out.size(), 3u);
  for (const auto& head : out) EXPECT_EQ(head.sizes(), (std::vector<std::int64_t>{6}));
  for (const auto& probability : {out[0], out[2]}) {
    EXPECT_TRUE((probability > 0).all().item<bool>());
    EXPECT_TRUE((probability < 1).all().item<bool>());
  }
  const auto logits = outputs(model, "logits", random_inputs(6, 30, 2));
  EXPECT_TRUE(torch::allclose(torch::sigmoid(logits[0]), out[0]));
  EXPECT_TRUE(torch::allclose(logits[1], out[1], 0.0, 1e-6)) << "max_profit is a plain regression output";
}

// Backpropagates the sum of all heads on random inputs; expects a non-zero gradient on
// every parameter and returns how many parameters there are.
std::size_t parameters_with_gradients(torch::jit::Module& model) {
  const auto out = outputs(model, "logits", random_inputs(4, 20, 4));
  (out[0].sum() + out[1].sum() + out[2].sum()).backward();
  std::size_t checked = 0;
  for (const auto& named : model.named_parameters()) {
    EXPECT_TRUE(named.value.grad().defined() && named.value.grad().abs().sum().item<double>() > 0.0)
        << named.name << " gets no gradient";
    ++checked;
  }
  return checked;
}

TEST(AttentionLstm, GradientsReachEveryParameter) {
  torch::jit::Module model = build_attention_lstm(kSmall, 3);
  const std::size_t checked = parameters_with_gradients(model);
  // 2 BiLSTMs x 8 tensors, 4 LayerNorms x 2, 9 Linears x 2 (residual, Q, V, O, context,
  // trunk, three heads), the key weight (no bias), the pooling query.
  EXPECT_EQ(checked, 44u);
}

// Largest absolute difference between two tensors.
double max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

// The JIT runs a method's first calls through its profiling executor and later calls
// through an optimised graph; the two may round differently in the last bits, so repeated
// calls are compared within 1e-6 (the export contract's tolerance), not bit for bit.
TEST(AttentionLstm, EvalModeIsDeterministicAndTrainModeUsesDropout) {
  torch::jit::Module model = build_attention_lstm(kSmall, 5);
  const Inputs in = random_inputs(8, 25, 6);
  model.eval();
  const auto first = outputs(model, "forward", in)[0];
  for (int call = 0; call < 3; ++call) EXPECT_LE(max_diff(outputs(model, "forward", in)[0], first), 1e-6);
  model.train();
  EXPECT_GT(max_diff(outputs(model, "forward", in)[0], outputs(model, "forward", in)[0]), 1e-4)
      << "dropout must be active in training mode";
}

TEST(AttentionLstm, TheSameSeedBuildsTheSameModel) {
  torch::jit::Module a = build_attention_lstm(kSmall, 9), b = build_attention_lstm(kSmall, 9);
  a.eval();
  b.eval();
  const Inputs in = random_inputs(3, 10, 1);
  EXPECT_LE(max_diff(outputs(a, "forward", in)[0], outputs(b, "forward", in)[0]), 1e-6);
  for (const auto& named : a.named_parameters()) {
    EXPECT_TRUE(torch::equal(named.value, b.attr(named.name).toTensor())) << named.name;
  }
}

TEST(AttentionLstm, SavedAndReloadedItGivesTheSameOutputs) {
  testing::TempDir dir;
  torch::jit::Module model = build_attention_lstm(kSmall, 11);
  model.eval();
  const Inputs in = random_inputs(5, 40, 12);
  const auto before = outputs(model, "forward", in);
  model.save((dir / "model.pt").string());
  torch::jit::Module loaded = torch::jit::load((dir / "model.pt").string());
  loaded.eval();
  const auto after = outputs(loaded, "forward", in);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_LE(max_diff(before[i], after[i]), 1e-6);
  for (const auto& named : model.named_parameters()) {
    EXPECT_TRUE(torch::equal(named.value, loaded.attr(named.name).toTensor())) << named.name;
  }
}

TEST(AttentionLstm, OverfitsATinyBatchToNearZeroLoss) {
  torch::jit::Module model = build_attention_lstm({.lstm1_hidden = 16, .lstm2_hidden = 8, .heads = 2,
                                                   .attention_dropout = 0.0, .context_hidden = 8,
                                                   .head_hidden = 16, .head_dropout = 0.0},
                                                  21);
  const Inputs in = random_inputs(16, 12, 22);
  torch::manual_seed(23);
  const auto profitable = (torch::rand({16}) > 0.5).to(torch::kFloat);
  const auto rug = (torch::rand({16}) > 0.7).to(torch::kFloat);
  const auto max_profit = torch::randn({16}) * 0.3;
  torch::optim::AdamW optimizer(trainable_parameters(model), torch::optim::AdamWOptions(3e-3));
  torch::Tensor loss;
  for (int step = 0; step < 300; ++step) {
    const auto out = outputs(model, "logits", in);
    loss = torch::binary_cross_entropy_with_logits(out[0], profitable) +
           torch::huber_loss(out[1], max_profit) + torch::binary_cross_entropy_with_logits(out[2], rug);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  EXPECT_LT(loss.item<double>(), 0.05) << "a model that cannot memorise 16 examples cannot learn";
}

TEST(AttentionLstm, MeanLastPoolingTrainsEveryParameterAndExportsTheSameOutputs) {
  ModelOptions options = kSmall;
  options.pooling = Pooling::kMeanLast;
  torch::jit::Module model = build_attention_lstm(options, 13);
  EXPECT_EQ(parameters_with_gradients(model), 43u) << "no pooling query; the trunk reads [mean, last] (2D) and the context";
  EXPECT_EQ(model.attr("trunk_w").toTensor().size(1), 2 * 2 * options.lstm2_hidden + options.context_hidden);

  model.eval();
  torch::jit::Module portable = portable_attention_lstm(model, options);
  const Inputs in = random_inputs(3, 15, 15);
  const auto a = outputs(model, "forward", in), b = outputs(portable, "forward", in);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "head " << i;
}

TEST(AttentionLstm, SizesThatDoNotFitAreAConfigError) {
  ModelOptions bad = kSmall;
  bad.heads = 3;  // 2 * 8 = 16 is not divisible by 3
  EXPECT_THROW(build_attention_lstm(bad, 1), ConfigError);
}

}  // namespace
}  // namespace snipe::trainer
