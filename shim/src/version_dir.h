#pragma once
// Which version a model directory serves. Two forms:
//   an export directory (metadata.json inside): it is its own single version;
//   a registry directory: `current` names the version, either as a symlink (to a
//   subdirectory, or any directory) or as a regular file holding a directory name or path,
//   relative to the registry directory. The registry replaces `current` atomically (a new
//   symlink or file renamed over the old), so a reader sees the old name or the new one.

#include <cstdint>
#include <filesystem>
#include <string>

namespace snipe::shim {

// What identifies a version on disk: a change to any field means "load it again".
struct VersionRef {
  std::filesystem::path dir;  // canonical path of the version directory
  std::string name;           // its directory name: the model_version predictions carry
  std::uintmax_t inode = 0;   // of the directory (an export replaced in place gets a new one)
  long long metadata_mtime_ns = 0;  // of its metadata.json

  friend bool operator==(const VersionRef&, const VersionRef&) = default;
};

// Throws ModelError naming the directory and what to do.
VersionRef resolve_version(const std::filesystem::path& model_dir);

}  // namespace snipe::shim
