#include "collector/data_set_dir.h"

#include <regex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/core/json_fields.h"

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::string_view kManifest = "manifest.json";
constexpr std::string_view kQuality = "quality.json";

DataSetManifest read_manifest(const fs::path& path) {
  const json doc = parse_json(read_file(path), path.string(), "HINT: collect again");
  return data_set_manifest_from_json(doc, path.string());
}

std::string generation_name(int generation) { return fmt::format("g{:06}", generation); }

}  // namespace

std::string shard_file_name(int rank) { return fmt::format("shard-{:05}.h5", rank); }

DataSetDir::DataSetDir(fs::path root) : root_(std::move(root)) {}

std::optional<DataSetManifest> DataSetDir::published_manifest() const {
  const fs::path path = root_ / kManifest;
  if (!fs::exists(path)) return std::nullopt;
  return read_manifest(path);
}

std::vector<fs::path> DataSetDir::published_shards() const {
  std::vector<fs::path> shards;
  if (const auto manifest = published_manifest()) {
    for (const ShardEntry& shard : manifest->shards) shards.push_back(root_ / shard.file);
  }
  return shards;
}

int DataSetDir::generation_after(const std::optional<DataSetManifest>& manifest) {
  return manifest ? static_cast<int>(manifest->generation) + 1 : 1;
}

std::string DataSetDir::shard_entry(int generation, int rank) {
  return generation_name(generation) + "/" + shard_file_name(rank);
}

std::string DataSetDir::quality_entry(int generation) {
  return generation_name(generation) + "/" + std::string(kQuality);
}

fs::path DataSetDir::generation_dir(int generation) const { return root_ / generation_name(generation); }

fs::path DataSetDir::shard_path(int generation, int rank) const {
  fs::create_directories(generation_dir(generation));
  return root_ / shard_entry(generation, rank);
}

fs::path DataSetDir::checkpoint_dir(int rank, int size) const {
  return root_ / ".work" / fmt::format("rank-{:05}-of-{:05}", rank, size);
}

fs::path DataSetDir::plan_path() const { return root_ / ".work" / "plan.json"; }

void DataSetDir::commit(int generation, const DataSetManifest& manifest, const QualityReport& quality,
                        Env& env) const {
  env.write_file_atomically(generation_dir(generation) / kQuality, to_json(quality).dump(2) + "\n");
  fsync_directory(generation_dir(generation));  // the shards' names are durable
  env.write_file_atomically(root_ / kManifest, to_json(manifest).dump(2) + "\n");  // the commit
  tidy(env);
}

void DataSetDir::tidy(Env& env) const {
  const auto manifest = published_manifest();
  const int published = manifest ? static_cast<int>(manifest->generation) : 0;
  static const std::regex kGenerationFolder("g[0-9]{6}");
  static const std::regex kTempFile(R"(.*\.tmp-[0-9]+)");  // AtomicFile's, of a killed write
  for (const auto& entry : fs::directory_iterator(root_)) {
    const std::string name = entry.path().filename().string();
    // The previous generation stays one more run: a trainer that read the old manifest a
    // moment ago can still open its shards.
    const bool kept = name == generation_name(published) || name == generation_name(published - 1);
    if (entry.is_directory() && std::regex_match(name, kGenerationFolder) && !kept) {
      spdlog::info("removing {}: not part of the published data set", entry.path().string());
      fs::remove_all(entry.path());
    } else if (entry.is_regular_file() && std::regex_match(name, kTempFile)) {
      fs::remove(entry.path());
    }
  }
  const fs::path quality = generation_dir(published) / kQuality;
  if (published > 0 && fs::exists(quality)) env.write_file_atomically(root_ / kQuality, read_file(quality));
}

void DataSetDir::remove_work_area() const { fs::remove_all(root_ / ".work"); }

}  // namespace snipe::collector
