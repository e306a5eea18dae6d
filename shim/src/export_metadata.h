#pragma once
// Reading an export directory's metadata.json and scalers.json, and refusing one this
// build cannot serve: another schema or feature version, or feature names (or their order)
// that differ from this build's feature library, would feed the model the wrong columns.

#include <cstddef>
#include <filesystem>
#include <string>

#include "shared/features/scaling.h"
#include "shared/store/export_metadata.h"

namespace snipe::shim {

struct ExportDescription {
  std::size_t window = 0;       // T: rows per window the model was trained on
  std::string snipe_version;    // the snipe that exported it
  Scalers scalers;              // checked: this build's feature names, finite, scale > 0
  ExportMetadata metadata;      // the whole metadata.json
};

// Throws ModelError naming the file, the field and what to do.
ExportDescription read_export_description(const std::filesystem::path& export_dir);

}  // namespace snipe::shim
