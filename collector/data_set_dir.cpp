#include "collector/data_set_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::string_view kManifest = "manifest.json";
constexpr std::string_view kQuality = "quality.json";

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw IoError(fmt::format("cannot open directory {}", dir.string()));
  ::fsync(fd);
  ::close(fd);
}

// Moves `from` onto `to` when `from` still exists (a rerun of publish finds it moved).
void move_if_present(const fs::path& from, const fs::path& to) {
  if (fs::exists(from)) fs::rename(from, to);
}

json read_json(const fs::path& path) {
  try {
    return json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw DataError(fmt::format("{}: not valid JSON ({}); collect again", path.string(), e.what()));
  }
}

}  // namespace

std::string shard_file_name(int rank) { return fmt::format("shard-{:05}.h5", rank); }

DataSetDir::DataSetDir(fs::path root) : root_(std::move(root)) {}

fs::path DataSetDir::staged(const std::string& name) const { return root_ / ".work" / "staged" / name; }

fs::path DataSetDir::staged_shard(int rank) const {
  fs::create_directories(root_ / ".work" / "staged");
  return staged(shard_file_name(rank));
}

fs::path DataSetDir::checkpoint_dir(int rank, int size) const {
  return root_ / ".work" / fmt::format("rank-{:05}-of-{:05}", rank, size);
}

std::optional<json> DataSetDir::published_manifest() const {
  const fs::path path = root_ / kManifest;
  if (!fs::exists(path)) return std::nullopt;
  return read_json(path);
}

void DataSetDir::stage_reports(const json& manifest, const json& quality) const {
  fs::create_directories(root_ / ".work" / "staged");
  write_file_atomically(staged(std::string(kQuality)), quality.dump(2) + "\n");
  write_file_atomically(staged(std::string(kManifest)), manifest.dump(2) + "\n");  // commit
}

void DataSetDir::publish() const {
  const fs::path staged_manifest = staged(std::string(kManifest));
  if (!fs::exists(staged_manifest)) return;
  const json manifest = read_json(staged_manifest);
  std::set<std::string> listed;
  for (const json& shard : manifest.at("shards")) {
    const std::string file = shard.at("file");
    listed.insert(file);
    move_if_present(staged(file), root_ / file);
  }
  move_if_present(staged(std::string(kQuality)), root_ / kQuality);
  fsync_directory(root_);
  fs::rename(staged_manifest, root_ / kManifest);  // the new data set is now the data set
  fsync_directory(root_);
  for (const auto& entry : fs::directory_iterator(root_)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("shard-") && name.ends_with(".h5") && !listed.count(name)) {
      spdlog::info("removing {}: not part of the published data set", entry.path().string());
      fs::remove(entry.path());
    }
  }
}

void DataSetDir::remove_work_area() const {
  std::error_code ignored;  // another rank may be removing its own part at the same time
  fs::remove_all(root_ / ".work" / "staged", ignored);
  fs::remove(root_ / ".work", ignored);
}

}  // namespace snipe::collector
