#include "shared/store/export_metadata.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "shared/core/errors.h"
#include "shared/core/json_fields.h"
#include "shared/core/strings.h"
#include "shared/features/context.h"
#include "shared/features/labels_json.h"
#include "shared/features/model_features.h"
#include "shared/store/export_format.h"

namespace snipe {
namespace {

using nlohmann::json;

constexpr const char* kReexportHint =
    "HINT: re-export the model with this build's `snipe train`, or serve it with the snipe version that made it";
constexpr const char* kThresholdRule = "best F1 on val; predict positive when p >= threshold";
constexpr const char* kServingRule =
    "p = sigmoid((weights.model * logit(p_model) + weights.trees * logit(p_trees) + weights.logistic * "
    "logit(p_logistic)) / temperature); all chosen on val";

json to_json(const ExportHeadServing& head) {
  return {{"weights", {{"model", head.weights.model}, {"trees", head.weights.trees},
                       {"logistic", head.weights.logistic}}},
          {"temperature", head.temperature},
          {"trees", head.trees},
          {"logistic", head.logistic}};
}

// serving.<head>.weights: each in [0, 1], summing to 1 (to 1e-6).
BlendWeights blend_weights_from_json(const JsonFields& h) {
  const JsonFields w = h.object("weights");
  const BlendWeights weights{.model = w.number("model"), .trees = w.number("trees"),
                             .logistic = w.number("logistic")};
  for (const auto& [key, value] : {std::pair{"model", weights.model}, std::pair{"trees", weights.trees},
                                   std::pair{"logistic", weights.logistic}}) {
    if (!(value >= 0.0 && value <= 1.0)) w.refuse(key, fmt::format("is {}; it must be in [0, 1]", value));
  }
  const double sum = weights.model + weights.trees + weights.logistic;
  if (std::abs(sum - 1.0) > 1e-6) {
    h.refuse("weights", fmt::format("sum to {}; they must sum to 1", sum));
  }
  return weights;
}

// serving.<head>: its weights, a finite temperature > 0, the file of each baseline the
// weights give a share.
ExportHeadServing head_serving_from_json(const JsonFields& serving, std::string_view name) {
  const JsonFields h = serving.object(name);
  const ExportHeadServing head{.weights = blend_weights_from_json(h), .temperature = h.number("temperature"),
                               .trees = h.string("trees"), .logistic = h.string("logistic")};
  if (!(head.temperature > 0.0) || !std::isfinite(head.temperature)) {
    h.refuse("temperature", fmt::format("is {}; it must be finite and > 0", head.temperature));
  }
  if (head.weights.trees > 0.0 && head.trees.empty()) {
    h.refuse("trees", "is empty, but weights.trees > 0 gives the trees a share");
  }
  if (head.weights.logistic > 0.0 && head.logistic.empty()) {
    h.refuse("logistic", "is empty, but weights.logistic > 0 gives the logistic regression a share");
  }
  return head;
}

// The keys to_json writes itself; every other top-level key is provenance.
constexpr const char* kTypedKeys[] = {"schema_version", "feature_version", "snipe_version", "created_at",
                                      "window", "inputs", "model", "scalers", "labels", "thresholds",
                                      "serving"};

json model_contract() {
  return {{"file", kExportModelFile}, {"format", "torchscript"}, {"method", "forward"},
          {"outputs", {"profitable", "max_profit", "rug"}},
          {"output_kinds", {{"profitable", "probability"}, {"max_profit", "fraction above entry"},
                            {"rug", "probability"}}}};
}

// [null, T, F] for a windowed input, [null, F] for a per-token one.
json shape(std::optional<std::int64_t> window, std::size_t features) {
  return window ? json{nullptr, *window, features} : json{nullptr, features};
}

json input_to_json(const std::vector<std::string>& features, std::optional<std::int64_t> window) {
  return {{"shape", shape(window, features.size())}, {"features", features}};
}

std::vector<std::string> input_from_json(const JsonFields& inputs, const char* group,
                                         std::optional<std::int64_t> window) {
  const JsonFields input = inputs.object(group);
  std::vector<std::string> features = input.strings("features");
  const json& found = input.value("shape");
  if (found != shape(window, features.size())) {
    const std::string expected = shape(window, features.size()).dump();
    input.refuse("shape", window ? fmt::format("is {}, which disagrees with window {} (must be {})", found.dump(),
                                               *window, expected)
                                 : fmt::format("is {} but its {} features make it {}", found.dump(),
                                               features.size(), expected));
  }
  return features;
}

std::int64_t version_from_json(const JsonFields& fields, const char* key, std::int64_t expected,
                               const std::string& source, const json& doc) {
  const std::int64_t found = fields.integer(key);
  if (found != expected) {
    const json& by = doc.contains("snipe_version") ? doc["snipe_version"] : json("?");
    throw DataError(fmt::format("{}: /{} is {} but this build reads {} (exported by snipe {}); {}", source, key,
                                found, expected, by.is_string() ? by.get<std::string>() : by.dump(),
                                kReexportHint));
  }
  return found;
}

}  // namespace

std::string utc_iso8601(std::int64_t unix_seconds) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

ExportMetadata make_export_metadata(std::int64_t window) {
  return {.schema_version = kExportSchemaVersion,
          .feature_version = kFeatureVersion,
          .snipe_version = SNIPE_VERSION,
          .created_at = utc_iso8601(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())),
          .window = window,
          .inputs = {.candles = to_strings(kCandleFeatureNames),
                     .indicators = to_strings(kIndicatorFeatureNames),
                     .context = to_strings(kContextFeatureNames)}};
}

json to_json(const ExportMetadata& m) {
  json out = m.provenance.is_object() ? m.provenance : json::object();
  out.update(json{
      {"schema_version", m.schema_version},
      {"feature_version", m.feature_version},
      {"snipe_version", m.snipe_version},
      {"created_at", m.created_at},
      {"window", m.window},
      {"inputs", {{"candles", input_to_json(m.inputs.candles, m.window)},
                  {"indicators", input_to_json(m.inputs.indicators, m.window)},
                  {"context", input_to_json(m.inputs.context, std::nullopt)}}},
      {"model", model_contract()},
      {"scalers", kExportScalersFile},
  });
  if (m.labels) out["labels"] = to_json(*m.labels);
  if (m.thresholds) {
    out["thresholds"] = {{"profitable", m.thresholds->profitable}, {"rug", m.thresholds->rug},
                         {"rule", kThresholdRule}};
  }
  if (m.serving) {
    out["serving"] = {{"profitable", to_json(m.serving->profitable)}, {"rug", to_json(m.serving->rug)},
                      {"rule", kServingRule}};
  }
  return out;
}

ExportMetadata export_metadata_from_json(const json& doc, const std::string& source) {
  const JsonFields f(doc, source, kReexportHint);
  ExportMetadata m;
  m.schema_version = version_from_json(f, "schema_version", kExportSchemaVersion, source, doc);
  m.feature_version = version_from_json(f, "feature_version", kFeatureVersion, source, doc);
  m.snipe_version = f.string("snipe_version");
  m.created_at = f.string("created_at");
  m.window = f.integer("window");
  if (m.window < 1) f.refuse("window", fmt::format("is {}; it must be >= 1", m.window));
  const JsonFields inputs = f.object("inputs");
  m.inputs = {.candles = input_from_json(inputs, "candles", m.window),
              .indicators = input_from_json(inputs, "indicators", m.window),
              .context = input_from_json(inputs, "context", std::nullopt)};
  if (f.has("labels")) m.labels = labels_from_json(f.object("labels"));
  if (f.has("thresholds")) {
    const JsonFields t = f.object("thresholds");
    m.thresholds = ExportThresholds{.profitable = t.number("profitable"), .rug = t.number("rug")};
  }
  if (f.has("serving")) {
    const JsonFields serving = f.object("serving");
    m.serving = ExportServing{.profitable = head_serving_from_json(serving, "profitable"),
                              .rug = head_serving_from_json(serving, "rug")};
  }
  for (const auto& [key, value] : doc.items()) {
    if (std::find(std::begin(kTypedKeys), std::end(kTypedKeys), key) == std::end(kTypedKeys)) {
      m.provenance[key] = value;
    }
  }
  return m;
}

}  // namespace snipe
