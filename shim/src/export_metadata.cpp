#include "shim/src/export_metadata.h"

#include <algorithm>
#include <fstream>
#include <span>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "shared/store/export_format.h"
#include "snipe/shim.h"

namespace snipe::shim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kReexportHint =
    "HINT: re-export the model with this build's `snipe train`, or serve it with the snipe version that made it";

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw ModelError(fmt::format("{}: cannot be read; HINT: is this an export directory (model.pt, {}, {})?",
                                 path.string(), kExportScalersFile, kExportMetadataFile));
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw ModelError(fmt::format("{}: not valid JSON ({}); HINT: the export is damaged, re-export it",
                                 path.string(), e.what()));
  }
}

// metadata[/a/b/c] or a ModelError naming the field.
const json& field(const json& metadata, const fs::path& file, std::string_view pointer) {
  const json::json_pointer at{std::string(pointer)};
  if (!metadata.contains(at)) {
    throw ModelError(fmt::format("{}: field {} is missing; {}", file.string(), pointer, kReexportHint));
  }
  return metadata.at(at);
}

std::int64_t integer_field(const json& metadata, const fs::path& file, std::string_view pointer) {
  const json& value = field(metadata, file, pointer);
  if (!value.is_number_integer()) {
    throw ModelError(fmt::format("{}: field {} must be an integer, is {}", file.string(), pointer, value.dump()));
  }
  return value.get<std::int64_t>();
}

void check_version(const json& metadata, const fs::path& file, std::string_view pointer, std::int64_t expected) {
  const std::int64_t found = integer_field(metadata, file, pointer);
  if (found != expected) {
    throw ModelError(fmt::format("{}: {} is {} but this build reads {} (exported by snipe {}); {}", file.string(),
                                 pointer, found, expected, metadata.value("snipe_version", "?"), kReexportHint));
  }
}

// inputs.<group>.features must be this build's names, in order, and the shape must agree.
void check_input(const json& metadata, const fs::path& file, std::string_view group,
                 std::span<const std::string_view> names) {
  const std::string base = fmt::format("/inputs/{}", group);
  const json& features = field(metadata, file, base + "/features");
  std::vector<std::string> found;
  if (features.is_array()) {
    for (const json& name : features) found.push_back(name.is_string() ? name.get<std::string>() : name.dump());
  }
  if (!std::equal(found.begin(), found.end(), names.begin(), names.end())) {
    throw ModelError(fmt::format("{}: inputs.{}.features is [{}] but this build computes [{}]; {}", file.string(),
                                 group, fmt::join(found, ", "), fmt::join(names, ", "), kReexportHint));
  }
  const json& shape = field(metadata, file, base + "/shape");
  if (!shape.is_array() || shape.empty() || shape.back() != names.size()) {
    throw ModelError(fmt::format("{}: inputs.{}.shape {} does not end in its {} features", file.string(), group,
                                 shape.dump(), names.size()));
  }
}

std::size_t window_of(const json& metadata, const fs::path& file) {
  const std::int64_t window = integer_field(metadata, file, "/window");
  if (window < 1) throw ModelError(fmt::format("{}: window is {}; it must be >= 1", file.string(), window));
  for (const char* group : {"candles", "indicators"}) {
    const json& shape = field(metadata, file, fmt::format("/inputs/{}/shape", group));
    if (shape.size() != 3 || shape[1] != window) {
      throw ModelError(fmt::format("{}: inputs.{}.shape {} disagrees with window {}", file.string(), group,
                                   shape.dump(), window));
    }
  }
  return static_cast<std::size_t>(window);
}

}  // namespace

ExportDescription read_export_description(const fs::path& export_dir) {
  const fs::path file = export_dir / kExportMetadataFile;
  ExportDescription out;
  out.metadata = read_json(file);
  if (!out.metadata.is_object()) throw ModelError(fmt::format("{}: must be a JSON object", file.string()));
  check_version(out.metadata, file, "/schema_version", kExportSchemaVersion);
  check_version(out.metadata, file, "/feature_version", kFeatureVersion);
  check_input(out.metadata, file, "candles", kCandleFeatureNames);
  check_input(out.metadata, file, "indicators", kIndicatorFeatureNames);
  check_input(out.metadata, file, "context", kContextFeatureNames);
  out.window = window_of(out.metadata, file);
  out.snipe_version = out.metadata.value("snipe_version", "");

  const fs::path scalers_file = export_dir / kExportScalersFile;
  try {
    out.scalers = scalers_from_json(read_json(scalers_file));
  } catch (const ModelError&) {
    throw;
  } catch (const DataError& e) {
    throw ModelError(fmt::format("{}: {}", scalers_file.string(), e.what()));
  }
  return out;
}

}  // namespace snipe::shim
