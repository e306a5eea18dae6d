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
#include "shared/core/json_fields.h"
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
    return parse_json(text.str(), path.string(), "HINT: the export is damaged, re-export it");
  } catch (const DataError& e) {
    throw ModelError(e.what());
  }
}

// inputs.<group>.features must be this build's names, in order (the shapes were checked
// against them when the metadata was read).
void check_input(const fs::path& file, std::string_view group, const std::vector<std::string>& found,
                 std::span<const std::string_view> names) {
  if (!std::equal(found.begin(), found.end(), names.begin(), names.end())) {
    throw ModelError(fmt::format("{}: inputs.{}.features is [{}] but this build computes [{}]; {}", file.string(),
                                 group, fmt::join(found, ", "), fmt::join(names, ", "), kReexportHint));
  }
}

ExportMetadata read_metadata(const fs::path& file) {
  const json doc = read_json(file);
  try {
    return export_metadata_from_json(doc, file.string());
  } catch (const DataError& e) {  // the feature library's; the shim's own ModelError passes
    throw ModelError(e.what());
  }
}

}  // namespace

ExportDescription read_export_description(const fs::path& export_dir) {
  const fs::path file = export_dir / kExportMetadataFile;
  ExportDescription out;
  out.metadata = read_metadata(file);
  check_input(file, "candles", out.metadata.inputs.candles, kCandleFeatureNames);
  check_input(file, "indicators", out.metadata.inputs.indicators, kIndicatorFeatureNames);
  check_input(file, "context", out.metadata.inputs.context, kContextFeatureNames);
  out.window = static_cast<std::size_t>(out.metadata.window);
  out.snipe_version = out.metadata.snipe_version;

  const fs::path scalers_file = export_dir / kExportScalersFile;
  try {
    out.scalers = scalers_from_json(read_json(scalers_file));
  } catch (const DataError& e) {  // the feature library's; the shim's own ModelError passes
    throw ModelError(fmt::format("{}: {}", scalers_file.string(), e.what()));
  }
  return out;
}

}  // namespace snipe::shim
