#pragma once
// `snipe train`: a data set in, a trained and exported model out.
//
//   RUN_DIR/settings.toml     the resolved settings of the run
//   RUN_DIR/checkpoints/      step-<N>/ (checkpoint.h); the newest K are kept
//   RUN_DIR/metrics.jsonl     one JSON record per epoch: val metrics, train loss, lr, time
//   RUN_DIR/report.json       the best epoch's model on the test split
//   RUN_DIR/export/           model.pt, scalers.json, metadata.json (export.h)
//
// Data-parallel over the ranks of the job (mpirun -np N, srun): every rank loads the data
// set and trains the same model on its share of each global batch of train.batch_size
// examples (the distributed sampler, window_loader.h); gradients are averaged over the
// ranks (gradient_reducer.h), so N ranks follow the trajectory of one process with the
// same batch, up to rounding. Scalers and class weights are fitted on each rank's share
// of the train split and merged. Validation and test predictions are split over the
// ranks and gathered. Rank 0 alone logs, writes checkpoints, metrics, the report and the
// export; a resume reads the checkpoint on rank 0 and sends it to the others, whatever
// number of ranks wrote it.
// Plain C++ header: the command line includes it without LibTorch.

#include <cstdint>
#include <filesystem>
#include <string>

#include "trainer/data/split_options.h"
#include "trainer/model/model_options.h"
#include "trainer/train/train_options.h"
#include "trainer/train/training_report.h"

namespace snipe {
class Env;
class JobContext;
}

namespace snipe::trainer {

// What to do with checkpoints already in RUN_DIR/checkpoints.
enum class ResumeMode {
  kAuto,     // continue from the newest one when there is one, else start afresh
  kRequire,  // continue from the newest one; an error when there is none
  kFresh,    // delete them and start afresh
};

struct TrainJob {
  std::filesystem::path data_dir;  // a published data set (manifest.json + shards)
  std::filesystem::path run_dir;   // where the run's files go (created)
  SplitOptions split;              // window and seed are taken from `train`
  ModelOptions model;              // feature counts are taken from the data set
  TrainOptions train;
  DistributedOptions distributed;
  ResumeMode resume = ResumeMode::kAuto;
  std::string settings_toml;       // the resolved settings, saved as RUN_DIR/settings.toml
};

struct TrainSummary {
  std::int64_t epochs_completed = 0;  // epochs trained, counting those before a resume
  std::int64_t steps = 0;             // optimizer steps
  std::int64_t best_epoch = -1;       // 0-based epoch whose weights were exported
  double best_val_auc = 0;            // the selection score (train.select) at best_epoch
  bool stopped_early = false;         // patience ran out before train.epochs
  bool resumed = false;               // continued from a checkpoint
  int world = 1;                      // ranks that trained
  std::filesystem::path export_dir;   // RUN_DIR/export
  TrainingReport report;              // what report.json holds
};

// Collective: every rank of `context` calls it; every rank gets the same summary. Throws
// DataError / ConfigError / IoError with the file, field and what to do. A solo context
// trains alone with no MPI. settings.toml and report.json are written through `env`,
// epochs are timed on its clock, and it hears FaultPoint::kTrainStepStarting before each
// step and kTrainCheckpointWritten after each mid-epoch checkpoint.
TrainSummary run_train_job(const TrainJob& job, const JobContext& context, Env& env);

}  // namespace snipe::trainer
