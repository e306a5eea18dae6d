#pragma once
// `snipe train`: a data set in, a trained and exported model out.
//
//   RUN_DIR/settings.toml     the resolved settings of the run
//   RUN_DIR/checkpoints/      step-<N>/ (checkpoint.h); the newest K are kept
//   RUN_DIR/metrics.jsonl     one JSON record per epoch: val metrics, train loss, lr, time
//   RUN_DIR/report.json       the best epoch's model on the test split
//   RUN_DIR/export/           model.pt, scalers.json, metadata.json (export.h)
//
// One process trains today; the seams for data-parallel training are the examples each
// rank loads (the loader's example list), the gradient hook (trainer.h) and the rank-0
// duties (checkpoints, metrics, report, export), which are all in this job.
// Plain C++ header: the command line includes it without LibTorch.

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "trainer/data/split_options.h"
#include "trainer/model/model_options.h"
#include "trainer/train/train_options.h"

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
  ResumeMode resume = ResumeMode::kAuto;
  std::string settings_toml;       // the resolved settings, saved as RUN_DIR/settings.toml
  std::int64_t kill_after_steps = 0;  // tests only: SIGKILL this process right after the first
                                      // mid-epoch checkpoint at or past this step (0: never)
};

struct TrainSummary {
  std::int64_t epochs_completed = 0;  // epochs trained, counting those before a resume
  std::int64_t steps = 0;             // optimizer steps
  std::int64_t best_epoch = -1;       // 0-based epoch whose weights were exported
  double best_val_auc = 0;            // val ROC-AUC of `profitable` at best_epoch
  bool stopped_early = false;         // patience ran out before train.epochs
  bool resumed = false;               // continued from a checkpoint
  std::filesystem::path export_dir;   // RUN_DIR/export
  nlohmann::json report;              // what report.json holds
};

// Throws DataError / ConfigError / IoError with the file, field and what to do.
TrainSummary run_train_job(const TrainJob& job);

}  // namespace snipe::trainer
