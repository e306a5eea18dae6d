// Data-parallel steps: N ranks, each with its share of a global batch and gradients
// averaged by the GradientReducer (fused or bucketed), end with the parameters one process
// reaches on the whole global batch. ctest runs this binary as one process and under
// `mpirun -np 2` and `-np 3`; every rank also trains the one-process reference itself, so
// the comparison needs no file exchange.

#include "trainer/train/gradient_reducer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "shared/comm/communicator.h"
#include "shared/comm/job_context.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
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

std::unique_ptr<Communicator> job_communicator(const JobContext& context) { return make_communicator({}, context); }

double max_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

// A model on every rank that starts from `reference`'s weights (rank 0's, broadcast).
torch::jit::Module replica_of(const Trainer& reference, Communicator& comm) {
  torch::jit::Module model = build_attention_lstm(kModel, 100 + static_cast<std::uint64_t>(comm.rank()));
  const std::vector<torch::Tensor> parameters = trainable_parameters(model);
  const torch::NoGradGuard no_grad;  // rank 0 takes the reference's weights; the broadcast spreads them
  if (comm.rank() == 0) {
    for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(reference.parameters()[i]);
  }
  broadcast_tensors(parameters, comm);
  return model;
}

// Step `step`'s global batch of kPerRank examples per rank, and this rank's rows of it.
Batch global_batch_of(std::int64_t step, std::size_t ranks) {
  return global_batch(kPerRank * ranks, 1000 + static_cast<std::uint64_t>(step));
}
Batch my_share(const Batch& all, int rank) { return rows_of(all, kPerRank * static_cast<std::size_t>(rank), kPerRank); }

TEST(DataParallelStep, RanksWithShareOfTheBatchMatchOneProcessOnTheWholeBatch) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const auto ranks = static_cast<std::size_t>(comm->size());
  torch::jit::Module reference = build_attention_lstm(kModel, 1);
  Trainer one_process(reference, options(), kWeights, kSchedule);
  torch::jit::Module model = replica_of(one_process, *comm);
  GradientReducer reducer(trainable_parameters(model), *comm);
  Trainer data_parallel(model, options(), kWeights, kSchedule, reducer.hook(), comm->rank());

  for (std::int64_t step = 0; step < 20; ++step) {
    Batch all = global_batch_of(step, ranks);
    Batch mine = my_share(all, comm->rank());
    one_process.step(all, step);
    data_parallel.step(mine, step);
  }
  EXPECT_LE(max_difference(data_parallel.parameters(), one_process.parameters()), 1e-5)
      << comm->size() << " ranks against one process after 20 steps";
}

TEST(DataParallelStep, EveryRankEndsWithBitIdenticalParameters) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  torch::jit::Module model = build_attention_lstm(kModel, 1);
  const std::vector<torch::Tensor> parameters = trainable_parameters(model);
  GradientReducer reducer(parameters, *comm);
  Trainer trainer(model, options(), kWeights, kSchedule, reducer.hook(), comm->rank());
  for (std::int64_t step = 0; step < 10; ++step) {
    Batch mine = my_share(global_batch_of(step, static_cast<std::size_t>(comm->size())), comm->rank());
    trainer.step(mine, step);
  }
  std::vector<torch::Tensor> rank0;
  for (const auto& p : parameters) rank0.push_back(p.detach().clone());
  broadcast_tensors(rank0, *comm);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    ASSERT_TRUE(torch::equal(parameters[i], rank0[i])) << "parameter " << i << " of rank " << comm->rank();
  }
}

// The job's communicator, counting the all-reduces started.
class CountingCommunicator final : public Communicator {
 public:
  explicit CountingCommunicator(Communicator& inner) : inner_(inner) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  int local_rank() const override { return inner_.local_rank(); }
  std::string_view backend() const override { return inner_.backend(); }
  int started = 0;  // all-reduces, blocking or not

 protected:
  std::unique_ptr<Work> start_allreduce(Buffer buffer, ReduceOp op) override {
    ++started;
    return inner_.allreduce_async(buffer, op);
  }
  void blocking_allreduce(Buffer buffer, ReduceOp op) override {
    ++started;
    inner_.allreduce(buffer, op);
  }
  void do_broadcast(Buffer buffer, int root) override { inner_.broadcast(buffer, root); }
  void do_barrier() override { inner_.barrier(); }
  bool reaches(MemoryKind) const override { return true; }

 private:
  Communicator& inner_;
};

TEST(DataParallelStep, BucketsStartDuringBackwardAndMatchTheFusedReduction) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  CountingCommunicator counting(*comm);
  torch::jit::Module fused_model = build_attention_lstm(kModel, 3);
  Trainer fused_reference(fused_model, options(), kWeights, kSchedule);  // only for the starting weights
  torch::jit::Module fused = replica_of(fused_reference, *comm);
  torch::jit::Module bucketed = replica_of(fused_reference, *comm);

  GradientReducer fused_reducer(trainable_parameters(fused), *comm);
  Trainer fused_trainer(fused, options(), kWeights, kSchedule, fused_reducer.hook(), comm->rank());
  GradientReducer bucketed_reducer(trainable_parameters(bucketed), counting, /*bucket_mb=*/0.004);
  int started_before_reduce = 0;  // all-reduces the hooks started before backward() returned
  const GradientHook finish = [&](const std::vector<torch::Tensor>&) {
    started_before_reduce = counting.started;
    bucketed_reducer.reduce();
  };
  Trainer bucketed_trainer(bucketed, options(), kWeights, kSchedule, finish, comm->rank());

  if (comm->size() > 1) {
    EXPECT_GE(bucketed_reducer.buckets(), 5u) << "4 KB buckets of a larger model";
  }
  for (std::int64_t step = 0; step < 20; ++step) {
    Batch mine = my_share(global_batch_of(step, static_cast<std::size_t>(comm->size())), comm->rank());
    Batch copy = mine;
    fused_trainer.step(mine, step);
    counting.started = 0;
    bucketed_trainer.step(copy, step);
    if (comm->size() > 1) {
      EXPECT_EQ(started_before_reduce, static_cast<int>(bucketed_reducer.buckets()))
          << "every bucket's all-reduce started from the hooks during backward, step " << step;
    }
  }
  EXPECT_LE(max_difference(trainable_parameters(bucketed), trainable_parameters(fused)), 1e-6)
      << "bucketed against fused after 20 steps on " << comm->size() << " ranks";
}

TEST(DataParallelStep, GradientsStayViewsOfTheFlatBufferAcrossSteps) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
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
