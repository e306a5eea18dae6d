#pragma once
// Training checkpoints: everything needed to continue a run mid-epoch and end with exactly
// the parameters of an uninterrupted run.
//
// On disk, one directory per checkpoint, RUN_DIR/checkpoints/step-<steps, 10 digits>/:
//   state.bin    magic line + Boost.Serialization binary archive of CheckpointState
//                (class-versioned), including the size and FNV-1a hash of tensors.pt
//   tensors.pt   a LibTorch archive: "model/<name>" and "best/<name>" for every
//                parameter, the optimizer's state under "optimizer", the CPU generator's
//                state under "rng"
// A checkpoint is written into a temp directory beside its final name, every file is
// fsynced, the directory renamed into place and the parent fsynced: a crash leaves the
// old checkpoints and at most a temp directory, which the next save removes. Only the
// newest `keep` checkpoints are kept.
// Checkpoints are written by rank 0 and read by rank 0, which sends what it read to the
// other ranks (train_job.cpp), so only rank 0 needs to see RUN_DIR.
// Thread-safety: none; rank 0's training thread only.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/script.h>
#include <torch/optim/optimizer.h>

namespace snipe::trainer {

// Where training stands. Positions count completed work.
struct CheckpointState {
  std::string run_key;                       // fingerprint of settings + data; must match to resume
  std::int64_t epoch = 0;                    // the epoch in progress (0-based)
  std::int64_t batches_done = 0;             // batches of `epoch` already trained on
  std::int64_t step = 0;                     // optimizer steps completed over the whole run
  double best_metric = -1.0;                 // best val ROC-AUC of `profitable` so far; -1: none yet
  std::int64_t best_epoch = -1;              // the epoch (0-based) that reached it; -1: none yet
  std::int64_t epochs_without_improvement = 0;  // for early stopping
  double epoch_loss_sum = 0.0;               // training loss summed over the batches_done batches
  std::int64_t threads = 0;                  // intra-op threads of the run (an exact resume needs the same)
  std::int64_t world = 0;                    // ranks of the run that wrote it; 0: not recorded (one)
};

// The state as bytes (the Boost archive state.bin holds), for sending it to other ranks.
std::string encode_checkpoint_state(const CheckpointState& state);
// Throws DataError when `bytes` is not such an archive.
CheckpointState decode_checkpoint_state(const std::string& bytes);

// The live objects a checkpoint captures and restores. `best` holds a copy of the
// parameters at the best epoch, same order and shapes as model.parameters().
struct TrainingObjects {
  torch::jit::Module& model;
  torch::optim::Optimizer& optimizer;
  std::vector<torch::Tensor>& best;
};

// Writes checkpoint `state.step` under `dir` (created if missing), then removes all but
// the newest `keep` (>= 1) checkpoints. Captures the CPU generator's state (dropout).
// Throws IoError naming the path.
void save_checkpoint(const std::filesystem::path& dir, const CheckpointState& state,
                     const TrainingObjects& objects, std::size_t keep);

// The newest complete checkpoint under `dir`, or nullopt when there is none (no
// directory, or only temp leftovers). Does not read it.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& dir);

// Restores `path` into `objects` (parameters copied in place, optimizer state, best
// weights, CPU generator) and returns its state. Refuses, with DataError naming the file,
// what is wrong and what to do: a bad magic, unknown version or truncated archive, a
// tensors.pt whose size or hash differs from state.bin's record, a run_key other than
// `run_key` (settings or data changed), or parameters whose names or shapes differ from
// the model's. On a refusal nothing in `objects` has been modified.
CheckpointState load_checkpoint(const std::filesystem::path& path, const std::string& run_key,
                                const TrainingObjects& objects);

}  // namespace snipe::trainer
