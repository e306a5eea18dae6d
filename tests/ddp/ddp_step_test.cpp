// Data-parallel steps: N ranks, each with its share of a global batch and gradients summed
// by the GradientReducer, end with the parameters one process reaches on the whole global
// batch. ctest runs this binary as one process and under `mpirun -np 2`; every rank also
// trains the one-process reference itself, so the comparison needs no file exchange.

#include "trainer/train/gradient_reducer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "shared/comm/communicator.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "shared/mpi/mpi_context.h"
#include "tests/support/random_batch.h"
#include "trainer/model/attention_lstm.h"
#include "trainer/train/trainer.h"

namespace snipe::trainer {
namespace {

constexpr std::size_t kWindow = 10;
constexpr std::size_t kPerRank = 8;  // b
// Dropout off: the ranks' generators would draw different masks than one process does.
const ModelOptions kModel{.lstm1_hidden = 16, .lstm2_hidden = 8, .heads = 2, .attention_dropout = 0.0,
                          .context_hidden = 8, .head_hidden = 16, .head_dropout = 0.0};
const LrSchedule kSchedule{.peak_lr = 3e-3, .min_lr = 1e-4, .warmup_steps = 3, .total_steps = 20};
const LabelWeights kWeights{.profitable = {.negative = 0.7, .positive = 1.8}, .rug = {.negative = 0.6, .positive = 3.0}};

// The same `b` random examples on every rank (fixed seed).
Batch global_batch(std::size_t b, std::uint64_t seed) { return testing::random_batch(b, kWindow, seed); }

// Rows [begin, begin + count) of `all`.
Batch rows_of(const Batch& all, std::size_t begin, std::size_t count) {
  const auto slice = [&](const std::vector<float>& v, std::size_t per_row) {
    return std::vector<float>(v.begin() + static_cast<std::ptrdiff_t>(begin * per_row),
                              v.begin() + static_cast<std::ptrdiff_t>((begin + count) * per_row));
  };
  Batch part;
  part.size = count;
  part.candles = slice(all.candles, kWindow * kCandleFeatureCount);
  part.indicators = slice(all.indicators, kWindow * kIndicatorFeatureCount);
  part.context = slice(all.context, kContextFeatureCount);
  part.profitable = slice(all.profitable, 1);
  part.max_profit = slice(all.max_profit, 1);
  part.rug = slice(all.rug, 1);
  part.examples.assign(count, 0);
  return part;
}

TrainOptions options() {
  TrainOptions o;
  o.window = kWindow;
  o.grad_clip = 0.5;  // active: clipping must act on the reduced gradient
  return o;
}

TEST(DataParallelStep, RanksWithShareOfTheBatchMatchOneProcessOnTheWholeBatch) {
  const MpiContext mpi;
  const auto comm = make_communicator(CommBackend::kAuto, mpi);
  const std::size_t ranks = static_cast<std::size_t>(comm->size());

  torch::jit::Module reference = build_attention_lstm(kModel, 1);
  Trainer one_process(reference, options(), kWeights, kSchedule);

  torch::jit::Module model = build_attention_lstm(kModel, 100 + static_cast<std::uint64_t>(comm->rank()));
  const std::vector<torch::Tensor> parameters = trainable_parameters(model);
  {
    const torch::NoGradGuard no_grad;  // rank 0 starts from the reference's weights; the broadcast spreads them
    if (comm->rank() == 0) {
      for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(one_process.parameters()[i]);
    }
  }
  broadcast_parameters(parameters, *comm);
  GradientReducer reducer(parameters, *comm);
  Trainer data_parallel(model, options(), kWeights, kSchedule, reducer.hook());

  for (std::int64_t step = 0; step < 20; ++step) {
    Batch all = global_batch(kPerRank * ranks, 1000 + static_cast<std::uint64_t>(step));
    Batch mine = rows_of(all, kPerRank * static_cast<std::size_t>(comm->rank()), kPerRank);
    one_process.step(all, step);
    data_parallel.step(mine, step, kPerRank * ranks);
  }
  double worst = 0;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    worst = std::max(worst, (parameters[i] - one_process.parameters()[i]).abs().max().item<double>());
  }
  EXPECT_LE(worst, 1e-5) << comm->size() << " ranks against one process after 20 steps";
}

TEST(DataParallelStep, GradientsStayViewsOfTheFlatBufferAcrossSteps) {
  const MpiContext mpi;
  const auto comm = make_communicator(CommBackend::kAuto, mpi);
  torch::jit::Module model = build_attention_lstm(kModel, 7);
  const std::vector<torch::Tensor> parameters = trainable_parameters(model);
  GradientReducer reducer(parameters, *comm);
  Trainer trainer(model, options(), kWeights, kSchedule, reducer.hook());
  for (std::int64_t step = 0; step < 3; ++step) {
    Batch batch = global_batch(kPerRank, 50 + static_cast<std::uint64_t>(step));
    trainer.step(batch, step);
  }
  const float* begin = reducer.flat().data_ptr<float>();
  const float* end = begin + reducer.flat().numel();
  double flat_norm_squared = reducer.flat().pow(2).sum().item<double>();
  double grads_norm_squared = 0;
  for (const auto& p : parameters) {
    const float* data = p.grad().data_ptr<float>();
    EXPECT_TRUE(data >= begin && data + p.numel() <= end) << "a gradient left the flat buffer";
    grads_norm_squared += p.grad().pow(2).sum().item<double>();
  }
  EXPECT_GT(flat_norm_squared, 0.0);
  EXPECT_NEAR(flat_norm_squared, grads_norm_squared, 1e-6 * flat_norm_squared);
}

}  // namespace
}  // namespace snipe::trainer
