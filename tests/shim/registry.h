#pragma once
// A model registry directory for the hot-reload tests: versions copied from a trained
// export, and `current` swapped atomically as the registry does (a new symlink renamed
// over the old one).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "shared/features/scaling.h"
#include "shared/store/export_format.h"

namespace snipe::testing {

class Registry {
 public:
  explicit Registry(std::filesystem::path root) : root_(std::move(root)) { std::filesystem::create_directories(root_); }

  const std::filesystem::path& root() const { return root_; }

  // A copy of `export_dir` named `name`.
  std::filesystem::path add(const std::string& name, const std::filesystem::path& export_dir) const {
    const std::filesystem::path dir = root_ / name;
    std::filesystem::copy(export_dir, dir, std::filesystem::copy_options::recursive);
    return dir;
  }

  // A copy whose candle scaler centres are shifted by `shift`: the same model file, other
  // outputs (a version distinguishable by its answers).
  std::filesystem::path add_shifted(const std::string& name, const std::filesystem::path& export_dir,
                                    double shift) const {
    const std::filesystem::path dir = add(name, export_dir);
    Scalers scalers = scalers_from_json(nlohmann::json::parse(read_file(dir / kExportScalersFile)));
    for (double& c : scalers.candle.center) c += shift;
    write_file_atomically(dir / kExportScalersFile, scalers_to_json(scalers).dump());
    return dir;
  }

  // A copy whose model.pt is cut short: fails to load.
  std::filesystem::path add_truncated(const std::string& name, const std::filesystem::path& export_dir) const {
    const std::filesystem::path dir = add(name, export_dir);
    std::filesystem::resize_file(dir / kExportModelFile, 200);
    return dir;
  }

  void point_current_at(const std::string& name) const {
    const std::filesystem::path staged = root_ / "current.staged";
    std::filesystem::remove(staged);
    std::filesystem::create_directory_symlink(name, staged);
    std::filesystem::rename(staged, root_ / "current");  // atomic replacement
  }

 private:
  std::filesystem::path root_;
};

}  // namespace snipe::testing
