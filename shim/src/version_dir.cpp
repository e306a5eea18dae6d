#include "shim/src/version_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "shared/store/export_format.h"
#include "snipe/shim.h"

namespace snipe::shim {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCurrent = "current";

// `current` as a path relative to the registry directory.
fs::path read_current(const fs::path& model_dir) {
  const fs::path current = model_dir / kCurrent;
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(current, ec);
  if (ec || !fs::exists(link)) {
    throw ModelError(fmt::format("{}: neither an export directory ({} inside) nor a model directory with a `{}` "
                                 "entry; HINT: point --model at an export (runs/<run>/export) or a registry",
                                 model_dir.string(), kExportMetadataFile, kCurrent));
  }
  if (fs::is_symlink(link)) return fs::read_symlink(current);
  std::ifstream in(current);
  std::stringstream text;
  text << in.rdbuf();
  std::string name = text.str();
  name.erase(name.find_last_not_of(" \t\r\n") + 1);
  name.erase(0, name.find_first_not_of(" \t\r\n"));
  if (!in || name.empty()) {
    throw ModelError(fmt::format("{}: is empty or unreadable; it must name the version directory to serve",
                                 current.string()));
  }
  return name;
}

VersionRef describe(const fs::path& version_dir) {
  std::error_code ec;
  VersionRef ref;
  ref.dir = fs::canonical(version_dir, ec);
  if (ec) {
    throw ModelError(fmt::format("{}: the version directory does not exist ({}); HINT: `current` names a "
                                 "version that is missing",
                                 version_dir.string(), ec.message()));
  }
  ref.name = ref.dir.filename().string();
  struct stat dir_stat {};
  struct stat metadata_stat {};
  if (::stat(ref.dir.c_str(), &dir_stat) != 0) {
    throw ModelError(fmt::format("{}: cannot stat: {}", ref.dir.string(), std::strerror(errno)));
  }
  ref.inode = dir_stat.st_ino;
  if (::stat((ref.dir / kExportMetadataFile).c_str(), &metadata_stat) == 0) {
    ref.metadata_mtime_ns = static_cast<long long>(metadata_stat.st_mtim.tv_sec) * 1'000'000'000LL +
                            metadata_stat.st_mtim.tv_nsec;
  }
  return ref;
}

}  // namespace

VersionRef resolve_version(const fs::path& model_dir) {
  if (!fs::is_directory(model_dir)) {
    throw ModelError(fmt::format("{}: no such model directory; HINT: point it at an export (runs/<run>/export) "
                                 "or a registry directory",
                                 model_dir.string()));
  }
  if (fs::exists(model_dir / kExportMetadataFile)) return describe(model_dir);
  const fs::path named = read_current(model_dir);
  return describe(named.is_absolute() ? named : model_dir / named);
}

}  // namespace snipe::shim
