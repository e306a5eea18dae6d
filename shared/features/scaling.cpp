#include "shared/features/scaling.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"

namespace snipe {
namespace {

using nlohmann::json;
using Names = std::span<const std::string_view>;

// ---- JSON -------------------------------------------------------------------------------

// The keys of one scaler's JSON object.
struct ScalerKeys {
  const char* name;    // top-level key, e.g. "candle_scaler"
  const char* center;  // "center_" (RobustScaler) or "mean_" (StandardScaler)
};
constexpr ScalerKeys kCandleKeys{"candle_scaler", "center_"};
constexpr ScalerKeys kIndicatorKeys{"indicator_scaler", "mean_"};
constexpr ScalerKeys kContextKeys{"context_scaler", "mean_"};

[[noreturn]] void bad_field(const std::string& field, std::string_view problem) {
  throw DataError(fmt::format("scalers JSON: field {} {}; HINT: use the scalers.json written "
                              "with the model by `snipe train`",
                              field, problem));
}

json column_to_json(const ColumnScaler& scaler, const ScalerKeys& keys) {
  return json{{keys.center, scaler.center}, {"scale_", scaler.scale}, {"feature_names", scaler.names}};
}

const json& member(const json& object, const std::string& path, const char* key) {
  if (!object.is_object() || !object.contains(key)) bad_field(path + key, "is missing");
  return object.at(key);
}

std::vector<double> numbers(const json& array, const std::string& field) {
  if (!array.is_array()) bad_field(field, "is not an array");
  std::vector<double> out;
  for (const json& v : array) {
    if (!v.is_number()) bad_field(fmt::format("{}[{}]", field, out.size()), "is not a number");
    out.push_back(v.get<double>());
  }
  return out;
}

std::vector<std::string> strings(const json& array, const std::string& field) {
  if (!array.is_array()) bad_field(field, "is not an array");
  std::vector<std::string> out;
  for (const json& v : array) {
    if (!v.is_string()) bad_field(fmt::format("{}[{}]", field, out.size()), "is not a string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

void check_values(const ColumnScaler& scaler, const std::string& prefix, const char* center_key) {
  for (std::size_t i = 0; i < scaler.center.size(); ++i) {
    if (!std::isfinite(scaler.center[i])) {
      bad_field(fmt::format("{}{}[{}]", prefix, center_key, i), "is not finite");
    }
    if (!(scaler.scale[i] > 0.0) || !std::isfinite(scaler.scale[i])) {
      bad_field(fmt::format("{}scale_[{}]", prefix, i),
                fmt::format("is {} (a scale must be finite and > 0)", scaler.scale[i]));
    }
  }
}

void check_names(const ColumnScaler& scaler, const std::string& prefix, Names expected) {
  if (!std::equal(scaler.names.begin(), scaler.names.end(), expected.begin(), expected.end())) {
    throw DataError(fmt::format(
        "scalers JSON: field {}feature_names is [{}] but this build's features are [{}]; HINT: "
        "the export was made by another snipe version; re-export the model with this build's "
        "`snipe train`, or load it with the version that made it",
        prefix, fmt::join(scaler.names, ", "), fmt::join(expected, ", ")));
  }
}

ColumnScaler column_from_json(const json& doc, const ScalerKeys& keys, Names expected) {
  const json& object = member(doc, "", keys.name);
  const std::string prefix = std::string(keys.name) + ".";
  ColumnScaler scaler;
  scaler.center = numbers(member(object, prefix, keys.center), prefix + keys.center);
  scaler.scale = numbers(member(object, prefix, "scale_"), prefix + "scale_");
  scaler.names = strings(member(object, prefix, "feature_names"), prefix + "feature_names");
  const std::size_t n = scaler.center.size();
  if (scaler.scale.size() != n) {
    bad_field(prefix + "scale_", fmt::format("has {} entries but {}{} has {}", scaler.scale.size(),
                                             prefix, keys.center, n));
  }
  if (scaler.names.size() != n) {
    bad_field(prefix + "feature_names", fmt::format("has {} entries but {}{} has {}",
                                                    scaler.names.size(), prefix, keys.center, n));
  }
  check_names(scaler, prefix, expected);
  check_values(scaler, prefix, keys.center);
  return scaler;
}

}  // namespace

void ColumnScaler::apply(std::span<float> row) const {
  assert(row.size() == names.size());
  for (std::size_t i = 0; i < row.size(); ++i) {
    row[i] = static_cast<float>((static_cast<double>(row[i]) - center[i]) / scale[i]);
  }
}

nlohmann::json scalers_to_json(const Scalers& scalers) {
  return json{{kCandleKeys.name, column_to_json(scalers.candle, kCandleKeys)},
              {kIndicatorKeys.name, column_to_json(scalers.indicator, kIndicatorKeys)},
              {kContextKeys.name, column_to_json(scalers.context, kContextKeys)}};
}

Scalers scalers_from_json(const nlohmann::json& doc) {
  return {.candle = column_from_json(doc, kCandleKeys, kCandleFeatureNames),
          .indicator = column_from_json(doc, kIndicatorKeys, kIndicatorFeatureNames),
          .context = column_from_json(doc, kContextKeys, kContextFeatureNames)};
}

}  // namespace snipe
