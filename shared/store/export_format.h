#pragma once
// The export directory's file names and schema version: the contract between the trainer,
// which writes it (trainer/export/export.h), and the inference shim, which reads it
// (shim/). Plain constants, so the shim needs no trainer header.

namespace snipe {

// metadata.json's schema_version; bumped whenever a field changes meaning or goes away.
inline constexpr int kExportSchemaVersion = 1;
inline constexpr const char* kExportModelFile = "model.pt";
inline constexpr const char* kExportScalersFile = "scalers.json";
inline constexpr const char* kExportMetadataFile = "metadata.json";

}  // namespace snipe
