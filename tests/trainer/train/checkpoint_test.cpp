#include "trainer/train/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/torch.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "tests/support/temp_dir.h"
#include "trainer/model/attention_lstm.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;

// Small sizes keep the tests fast; dropout stays on, so training draws from the generator.
const ModelOptions kSmall{.lstm1_hidden = 8, .lstm2_hidden = 4, .heads = 2, .context_hidden = 4, .head_hidden = 8};
const std::string kRunKey = "run-key-1";

// One thread and the unoptimised TorchScript graph, so that the same inputs give the
// same bits on every call (the profiling executor may otherwise switch graphs mid-test).
class Deterministic {
 public:
  Deterministic() : threads_(torch::get_num_threads()), optimize_(torch::jit::getGraphExecutorOptimize()) {
    torch::set_num_threads(1);
    torch::jit::setGraphExecutorOptimize(false);
  }
  ~Deterministic() {
    torch::set_num_threads(threads_);
    torch::jit::setGraphExecutorOptimize(optimize_);
  }

 private:
  int threads_;
  bool optimize_;
};

// A model, its optimizer and best weights: what a trainer holds.
struct Training {
  explicit Training(std::uint64_t seed, const ModelOptions& options = kSmall)
      : model(build_attention_lstm(options, seed)),
        optimizer(trainable_parameters(model), torch::optim::AdamWOptions(1e-2)) {}
  TrainingObjects objects() { return {model, optimizer, best}; }

  torch::jit::Module model;
  torch::optim::AdamW optimizer;
  std::vector<torch::Tensor> best;
};

struct Batch {
  torch::Tensor candles, indicators, context, profitable;
};
Batch make_batch(std::uint64_t seed) {
  torch::manual_seed(seed);
  return {torch::randn({4, 6, 5}), torch::randn({4, 6, 19}), torch::randn({4, 12}),
          (torch::rand({4}) > 0.5).to(torch::kFloat)};
}

// One optimizer step on `batch` (dropout draws from the CPU generator).
void train_step(torch::jit::Module& model, torch::optim::Optimizer& optimizer, const Batch& batch) {
  const auto out = model.get_method("logits")({batch.candles, batch.indicators, batch.context}).toTuple();
  const auto& heads = out->elements();
  const auto loss = torch::binary_cross_entropy_with_logits(heads[0].toTensor(), batch.profitable) +
                    heads[1].toTensor().pow(2).mean() + heads[2].toTensor().pow(2).mean();
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
}
void train_step(Training& t, const Batch& batch) { train_step(t.model, t.optimizer, batch); }

std::vector<torch::Tensor> snapshot(const torch::jit::Module& model) {
  std::vector<torch::Tensor> copies;
  for (const auto& p : model.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!torch::equal(a[i], b[i])) return false;
  }
  return true;
}

torch::Tensor rng_state() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

CheckpointState state_at(std::int64_t step) {
  return {.run_key = kRunKey, .epoch = 2, .batches_done = 7, .step = step, .best_metric = 0.625, .best_epoch = 1,
          .epochs_without_improvement = 1};
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Checkpoint, ResumingGivesTheParametersOfAnUninterruptedRun) {
  Deterministic deterministic;
  testing::TempDir dir;
  const std::vector<Batch> batches = {make_batch(1), make_batch(2), make_batch(3)};
  Training a(7);
  for (const auto& batch : batches) train_step(a, batch);
  a.best = snapshot(a.model);
  torch::manual_seed(100);  // the generator state the checkpoint captures
  save_checkpoint(dir.path(), state_at(3), a.objects(), 2);
  const auto best_at_save = a.best;
  for (const auto& batch : batches) train_step(a, batch);
  const auto uninterrupted = snapshot(a.model);

  Training b(8);  // other initial weights, a fresh optimizer and another generator state
  torch::manual_seed(200);
  const auto path = latest_checkpoint(dir.path());
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->filename(), "step-0000000003");
  const CheckpointState state = load_checkpoint(*path, kRunKey, b.objects());
  EXPECT_EQ(state.run_key, kRunKey);
  EXPECT_EQ(state.epoch, 2);
  EXPECT_EQ(state.batches_done, 7);
  EXPECT_EQ(state.step, 3);
  EXPECT_EQ(state.best_metric, 0.625);
  EXPECT_EQ(state.best_epoch, 1);
  EXPECT_EQ(state.epochs_without_improvement, 1);
  EXPECT_TRUE(same(b.best, best_at_save));
  for (const auto& batch : batches) train_step(b, batch);
  EXPECT_TRUE(same(snapshot(b.model), uninterrupted)) << "optimizer state or generator not restored";

  // Control: the same resume with another generator state ends elsewhere, so the check
  // above depends on the restored generator (dropout is active).
  Training c(9);
  load_checkpoint(*path, kRunKey, c.objects());
  torch::manual_seed(300);
  for (const auto& batch : batches) train_step(c, batch);
  EXPECT_FALSE(same(snapshot(c.model), uninterrupted));
}

TEST(Checkpoint, NoBestWeightsYetRoundTripsAsEmpty) {
  testing::TempDir dir;
  Training a(1);
  save_checkpoint(dir.path(), state_at(1), a.objects(), 1);
  Training b(2);
  b.best = snapshot(b.model);
  load_checkpoint(dir / "step-0000000001", kRunKey, b.objects());
  EXPECT_TRUE(b.best.empty());
  EXPECT_TRUE(same(snapshot(b.model), snapshot(a.model)));
}

TEST(Checkpoint, KeepsTheNewestKAndRemovesLeftovers) {
  testing::TempDir dir;
  Training t(1);
  for (std::int64_t step = 1; step <= 5; ++step) save_checkpoint(dir.path(), state_at(step), t.objects(), 2);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"step-0000000004", "step-0000000005"}));
  EXPECT_EQ(latest_checkpoint(dir.path()), dir / "step-0000000005");

  // A crashed save of a later step, and names that are not checkpoints.
  fs::create_directories(dir / "step-0000000009.tmp-12345");
  write_file_atomically(dir / "step-0000000009.tmp-12345" / "tensors.pt", "partial");
  fs::create_directories(dir / "step-99");
  write_file_atomically(dir / "notes.txt", "mine");
  EXPECT_EQ(latest_checkpoint(dir.path()), dir / "step-0000000005");

  save_checkpoint(dir.path(), state_at(6), t.objects(), 2);
  EXPECT_EQ(entries(dir.path()),
            (std::vector<std::string>{"notes.txt", "step-0000000005", "step-0000000006", "step-99"}));
  EXPECT_EQ(latest_checkpoint(dir.path()), dir / "step-0000000006");
}

TEST(Checkpoint, SavingTheSameStepAgainReplacesIt) {
  testing::TempDir dir;
  Training t(1);
  save_checkpoint(dir.path(), state_at(4), t.objects(), 3);
  for (const auto& p : t.model.parameters()) p.detach().add_(1.0);
  const auto changed = snapshot(t.model);
  save_checkpoint(dir.path(), state_at(4), t.objects(), 3);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"step-0000000004"}));
  Training u(2);
  load_checkpoint(dir / "step-0000000004", kRunKey, u.objects());
  EXPECT_TRUE(same(snapshot(u.model), changed));
}

TEST(Checkpoint, ASaveAfterResumingFromAnOlderCheckpointDropsTheAbandonedLaterOnes) {
  testing::TempDir dir;
  Training t(1);
  save_checkpoint(dir.path(), state_at(5), t.objects(), 3);
  save_checkpoint(dir.path(), state_at(10), t.objects(), 3);
  save_checkpoint(dir.path(), state_at(6), t.objects(), 3);  // training went on from step 5
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"step-0000000005", "step-0000000006"}));
  EXPECT_EQ(latest_checkpoint(dir.path()), dir / "step-0000000006");
}

TEST(Checkpoint, NoCheckpointDirectoryMeansNoCheckpoint) {
  testing::TempDir dir;
  EXPECT_EQ(latest_checkpoint(dir / "missing"), std::nullopt);
  EXPECT_EQ(latest_checkpoint(dir.path()), std::nullopt);
  fs::create_directories(dir / "step-0000000001.tmp-42");
  EXPECT_EQ(latest_checkpoint(dir.path()), std::nullopt) << "a temp leftover is not a checkpoint";
}

// Refusals: a checkpoint of model seed 1 loaded into a model of seed 2 whose parameters,
// best weights and generator state must come out untouched.
class CheckpointRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    Training source(1);
    source.best = snapshot(source.model);
    save_checkpoint(dir_.path(), state_at(3), source.objects(), 1);
    checkpoint_ = dir_ / "step-0000000003";
  }

  // Loads into `target` with `run_key`, expects a DataError and returns its message.
  std::string refusal(Training& target, const std::string& run_key = kRunKey) {
    target.best = {torch::ones({1})};
    const auto before = snapshot(target.model);
    const auto rng_before = rng_state();
    std::string message;
    try {
      load_checkpoint(checkpoint_, run_key, target.objects());
      ADD_FAILURE() << "loaded";
    } catch (const DataError& e) {
      message = e.what();
    }
    EXPECT_TRUE(same(snapshot(target.model), before)) << "parameters modified by a refused load";
    EXPECT_EQ(target.best.size(), 1u);
    EXPECT_TRUE(torch::equal(rng_state(), rng_before));
    return message;
  }

  void rewrite(const std::string& file, const std::function<void(std::string&)>& edit) {
    std::string bytes = read_file(checkpoint_ / file);
    edit(bytes);
    std::ofstream(checkpoint_ / file, std::ios::binary | std::ios::trunc) << bytes;
  }

  testing::TempDir dir_;
  fs::path checkpoint_;
};

TEST_F(CheckpointRefusal, ATruncatedState) {
  rewrite("state.bin", [](std::string& bytes) { bytes.resize(bytes.size() / 2); });
  Training target(2);
  const std::string message = refusal(target);
  EXPECT_NE(message.find((checkpoint_ / "state.bin").string() + ": truncated or corrupt checkpoint state"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("delete " + checkpoint_.string() + " to resume from the previous checkpoint"),
            std::string::npos)
      << message;
}

TEST_F(CheckpointRefusal, AStateOfAnotherFormatVersion) {
  rewrite("state.bin", [](std::string& bytes) { bytes.replace(0, 26, "snipe-train-checkpoint v2\n"); });
  Training target(2);
  const std::string message = refusal(target);
  EXPECT_NE(message.find("format 'v2', this build reads v1"), std::string::npos) << message;
}

TEST_F(CheckpointRefusal, AFlippedByteInTheTensors) {
  rewrite("tensors.pt", [](std::string& bytes) { bytes[bytes.size() / 2] ^= 0x01; });
  Training target(2);
  const std::string message = refusal(target);
  EXPECT_NE(message.find((checkpoint_ / "tensors.pt").string() + " does not match its record in state.bin"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("delete " + checkpoint_.string()), std::string::npos) << message;
}

TEST_F(CheckpointRefusal, TensorsOfAnotherSize) {
  rewrite("tensors.pt", [](std::string& bytes) { bytes += "x"; });
  Training target(2);
  EXPECT_NE(refusal(target).find("does not match its record"), std::string::npos);
}

TEST_F(CheckpointRefusal, AnotherRunKey) {
  Training target(2);
  const std::string message = refusal(target, "run-key-2");
  EXPECT_NE(message.find((checkpoint_ / "state.bin").string()), std::string::npos) << message;
  EXPECT_NE(message.find("other settings or data (run key run-key-1, this run run-key-2)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("use a new --out or delete " + dir_.path().string()), std::string::npos) << message;
}

TEST_F(CheckpointRefusal, AModelOfOtherSizes) {
  ModelOptions wider = kSmall;
  wider.lstm1_hidden = 16;
  Training target(2, wider);
  const std::string message = refusal(target);
  // lstm1_w_ih is the first parameter, [4 h1, Fc + Fi]: [4 * 8, 5 + 19] = [32, 24] stored,
  // [4 * 16, 24] = [64, 24] in the wider model.
  EXPECT_NE(message.find((checkpoint_ / "tensors.pt").string() +
                         ": parameter 'lstm1_w_ih' has shape [32, 24], the model's is [64, 24]: the model "
                         "settings changed"),
            std::string::npos)
      << message;
}

TEST_F(CheckpointRefusal, OptimizerStateThatDoesNotFitTheOptimizer) {
  // The checkpoint's AdamW covers all 44 parameters (attention_lstm_test counts them);
  // this one covers only the first two, so its load fails after the other checks passed.
  Training target(2);
  std::vector<torch::Tensor> two = trainable_parameters(target.model);
  two.resize(2);
  torch::optim::AdamW partial(two, torch::optim::AdamWOptions(5e-3));
  train_step(target.model, partial, make_batch(4));  // AdamW state for the two
  std::vector<torch::Tensor> best = {torch::ones({1})};
  const auto before = snapshot(target.model);
  try {
    load_checkpoint(checkpoint_, kRunKey, {target.model, partial, best});
    ADD_FAILURE() << "loaded";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("the optimizer state does not fit this optimizer"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(same(snapshot(target.model), before));
  EXPECT_EQ(best.size(), 1u);
  EXPECT_EQ(partial.state().size(), 2u) << "the optimizer's previous state is restored";
  EXPECT_EQ(static_cast<const torch::optim::AdamWOptions&>(partial.param_groups()[0].options()).lr(), 5e-3);
}

}  // namespace
}  // namespace snipe::trainer
