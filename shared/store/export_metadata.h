#pragma once
// metadata.json of an export directory (export_format.h): what the bot needs to feed the
// model and judge it. One struct, one builder and one reader, shared by the trainer that
// writes it, the shim that checks it before serving, bench_shim and the tests.
//
//   schema_version, feature_version   refused on read when not this build's
//   snipe_version, created_at         who exported it, when (UTC, ISO 8601)
//   window                            T, rows per window
//   inputs.<group>.features/.shape    column names in model order; shape [null, T, F]
//                                     (candles, indicators) or [null, F] (context)
//   model, scalers                    the file names and the forward contract (constants)
//   labels, thresholds                the barriers and decision thresholds (trained exports)
//   serving                           per binary head: the blend of the model with its
//                                     baselines and the temperature the shim applies
//   metrics, data, split, training    the trainer's record of the run (`provenance`)

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/features/labels.h"
#include "shared/features/served_probability.h"

namespace snipe {

// Feature names of each model input, in the model's column order.
struct ExportInputs {
  std::vector<std::string> candles;     // [Fc]
  std::vector<std::string> indicators;  // [Fi]
  std::vector<std::string> context;     // [Fx]
};

// Decision thresholds: predict positive when p >= threshold.
struct ExportThresholds {
  double profitable = 0.5;
  double rug = 0.5;
};

// How the shim serves one binary head (shared/features/served_probability.h):
//   p = sigmoid((w_m logit(p_model) + w_t logit(p_trees) + w_l logit(p_logistic)) / T)
struct ExportHeadServing {
  BlendWeights weights;       // each in [0, 1], summing to 1; {1, 0, 0} serves the model alone
  double temperature = 1.0;   // T > 0, fitted on val
  std::string trees;          // the head's trees in the export ("baselines/rug.xgboost.json"):
                              // read when weights.trees > 0, may be empty otherwise
  std::string logistic;       // its logistic regression ("baselines/rug.logistic.json"): read
                              // when weights.logistic > 0, may be empty otherwise
  friend bool operator==(const ExportHeadServing&, const ExportHeadServing&) = default;
};

struct ExportServing {
  ExportHeadServing profitable;
  ExportHeadServing rug;
};

struct ExportMetadata {
  std::int64_t schema_version = 0;   // kExportSchemaVersion when written by this build
  std::int64_t feature_version = 0;  // kFeatureVersion when written by this build
  std::string snipe_version;         // the snipe that exported it
  std::string created_at;            // "2026-01-31T12:00:00Z"
  std::int64_t window = 0;           // T
  ExportInputs inputs;
  std::optional<LabelOptions> labels;           // absent for an untrained export (bench_shim)
  std::optional<ExportThresholds> thresholds;   // absent for an untrained export; on the
                                                // served probabilities
  std::optional<ExportServing> serving;         // absent for an untrained export: the model
                                                // alone, unscaled
  nlohmann::json provenance = nlohmann::json::object();  // top-level objects the trainer adds
                                                         // (metrics, data, split, training);
                                                         // passed through, never read by the shim
};

// This build's metadata for a model over windows of `window` rows: schema and feature
// versions, feature names, snipe version, created now.
ExportMetadata make_export_metadata(std::int64_t window);

// "2026-01-31T12:00:00Z": `unix_seconds` in UTC, as created_at holds it.
std::string utc_iso8601(std::int64_t unix_seconds);

nlohmann::json to_json(const ExportMetadata& metadata);

// Reads metadata.json's content (`source` names the file in errors). Throws DataError
// naming the file and the field when a field is missing or mistyped, when the schema or
// feature version is not this build's, or when a shape disagrees with the window or its
// feature list. Does not compare the feature names with this build's (the shim does).
ExportMetadata export_metadata_from_json(const nlohmann::json& json, const std::string& source);

}  // namespace snipe
