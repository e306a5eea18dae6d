#pragma once
// Pipeline stages shared by the stage commands (`snipe collect`) and the whole job
// (`snipe pipeline`), plus the rule for failing a multi-rank job.

#include <filesystem>
#include <functional>

#include "cli/command.h"
#include "collector/collect_job.h"
#include "cli/config/config.h"
#include "shared/comm/job_context.h"
#include "shared/core/env.h"
#include "trainer/train/train_job.h"

namespace snipe::cli {

// Collects the configured source into `data_dir` (collective). Each stage tells `env`
// FaultPoint::kStageStarted first, then runs its job with `env`.
collector::CollectTotals collect_stage(const Config& config, const JobContext& context,
                                       const std::filesystem::path& data_dir, bool incremental, Env& env);

// Trains on `data_dir` into `run_dir`, data-parallel over every rank of the job
// (collective); rank 0 writes the run's files. Every rank gets the summary.
trainer::TrainSummary train_stage(const Config& config, const JobContext& context,
                                  const std::filesystem::path& data_dir,
                                  const std::filesystem::path& run_dir, trainer::ResumeMode resume,
                                  Env& env);

// Starts MPI (a singleton job when not under mpirun), resolves the settings with the
// command's overrides, and runs `body` under run_on_every_rank. Returns the exit code.
using JobBody = std::function<int(const Config& config, const JobContext& context)>;
int run_mpi_job(const CommonOptions& common, const ConfigOverrides& overrides, const JobBody& body);

// Runs `body` on this rank. Any exception is logged with the rank and host; in a job of
// several ranks the whole job is then aborted (JobContext::abort), so no rank waits forever in a
// collective for one that died.
int run_on_every_rank(const JobContext& context, const std::function<int()>& body);

}  // namespace snipe::cli
