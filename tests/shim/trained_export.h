#pragma once
// A small trained export for the shim's tests: 12 simulated tokens collected and trained
// for one epoch (a few seconds), kept in the build tree (SNIPE_SHIM_FIXTURE_DIR,
// build/shim-fixture) and rebuilt when the test binary is newer. The Node addon's tests
// use the same export.

#include <filesystem>

#include "trainer/data/data_set.h"

namespace snipe::testing {

struct TrainedExport {
  std::filesystem::path data_dir;    // the collected data set (manifest.json + shards)
  std::filesystem::path export_dir;  // model.pt, scalers.json, metadata.json
  std::size_t window = 0;            // T the model was trained with
};

// Built on first use; later calls return the same one.
const TrainedExport& trained_export();

}  // namespace snipe::testing
