#include "trainer/export/export.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/store/torchscript_loader.h"
#include "trainer/model/eval_mode.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;

void save_model(torch::jit::Module& model, const fs::path& path) {
  {
    const EvalMode eval(model);
    try {
      model.save(path.string());
    } catch (const c10::Error& e) {
      throw IoError(fmt::format("{}: cannot save the TorchScript model: {}", path.string(), e.what_without_backtrace()));
    }
  }
  fsync_file(path);
}

// Puts `staged` at `target`: an atomic exchange when `target` exists (Linux renameat2),
// after which `staged` holds the old export and is removed; a plain rename otherwise.
void swap_into_place(const fs::path& staged, const fs::path& target) {
  if (!fs::exists(target)) {
    fs::rename(staged, target);
  } else if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
    throw IoError(fmt::format("{}: cannot swap in the new export from {}: {}", target.string(),
                              staged.string(), std::strerror(errno)));
  }
  fsync_directory(target.parent_path());
  fs::remove_all(staged);
}

}  // namespace

void write_export(const fs::path& export_dir, torch::jit::Module& model, const Scalers& scalers,
                  const ExportMetadata& metadata, std::span<const ExportFile> files) {
  const fs::path target = fs::absolute(export_dir);
  fs::path staged = target;
  staged += fmt::format(".tmp-{}", ::getpid());
  try {
    fs::remove_all(staged);  // a leftover of a crashed export of this pid
    fs::create_directories(staged);
    save_model(model, staged / kExportModelFile);
    write_file_atomically(staged / kExportScalersFile, scalers_to_json(scalers).dump(2) + "\n");
    write_file_atomically(staged / kExportMetadataFile, to_json(metadata).dump(2) + "\n");
    std::set<fs::path> folders;  // each synced once, after its files
    for (const ExportFile& file : files) {
      const fs::path path = staged / file.name;
      fs::create_directories(path.parent_path());
      write_file_atomically(path, file.bytes);
      folders.insert(path.parent_path());
    }
    for (const fs::path& folder : folders) fsync_directory(folder);
    fsync_directory(staged);
    swap_into_place(staged, target);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove_all(staged, ignored);  // the previous export, if any, is untouched
    if (dynamic_cast<const IoError*>(&e) != nullptr) throw;
    throw IoError(fmt::format("{}: cannot write the export ({}); HINT: check free space and permissions there",
                              target.string(), e.what()));
  }
}

std::string baseline_file(std::string_view head, std::string_view kind) {
  return fmt::format("baselines/{}.{}.json", head, kind);
}

torch::jit::Module load_exported_model(const fs::path& export_dir) {
  return load_torchscript(export_dir / kExportModelFile);
}

}  // namespace snipe::trainer
