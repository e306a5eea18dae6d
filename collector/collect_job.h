#pragma once
// `snipe collect`: every rank takes its slice of the source's tokens (token i belongs to
// rank i mod size), fetches, validates, computes features and labels, and writes its own
// HDF5 shard; rank 0 then writes manifest.json and quality.json. Per-token checkpoints
// make a rerun after a crash finish the same data set; `incremental` appends only bars
// newer than the stored ones.
//
// Output directory (DATA_DIR):
//   shard-00000.h5 ...   one per rank (shared/store/shard.h)
//   manifest.json        shards, counts, label balance, feature names, hashes
//   quality.json         rejections by reason, failures by reason, per-token verdicts
//   .work/               checkpoints and the staged run (see data_set_dir.h for the
//                        commit protocol that keeps a killed run from mixing data sets)

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "collector/source.h"
#include "shared/core/env.h"
#include "shared/features/labels.h"
#include "shared/market/validation.h"
#include "shared/comm/communicator.h"
#include "shared/store/data_set_manifest.h"

namespace snipe::collector {

struct CollectJobOptions {
  std::filesystem::path out_dir;     // DATA_DIR
  bool incremental = false;          // fetch only bars after the last stored one per token
  ValidationOptions validation;      // what a series must satisfy to be stored
  LabelOptions labels;               // barriers of the example labels
  std::string config_fingerprint;    // data-relevant settings; a change restarts checkpoints
  std::string base_fingerprint;      // the same without the time window (the collection's
                                     // end): an incremental run must match its data set's
};

struct CollectTotals {
  std::int64_t tokens = 0, accepted = 0, rejected = 0, failed = 0, examples = 0;
};

// Collective: every rank of `comm` (the job's host communicator, JobContext::comm(); a
// solo one for a process alone) must call it. Returns the job-wide totals on every rank.
// The plan, quality.json and manifest.json are written through `env`, which also hears
// FaultPoint::kTokenCheckpointed after each token this run fetches.
CollectTotals run_collect(Source& source, Communicator& comm, const CollectJobOptions& options, Env& env);

using snipe::kManifestSchemaVersion;  // shared/store/data_set_manifest.h

}  // namespace snipe::collector
