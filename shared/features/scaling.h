#pragma once
// Feature scaling as the model was trained with it, and its JSON form (scalers.json in an
// export: the prototype's format plus feature names). Training (trainer/data/scalers.h
// fits the values) and the inference shim apply the same ColumnScaler::apply, so a feature
// is scaled to the same float32 bits on both sides.
//   candle_scaler     RobustScaler:   center_ (median), scale_ (IQR)
//   indicator_scaler  StandardScaler: mean_, scale_ (population sd)
//   context_scaler    StandardScaler: mean_, scale_
// x_scaled = float((double(x) - center) / scale).

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace snipe {

struct ColumnScaler {
  std::vector<std::string> names;  // [F]
  std::vector<double> center;      // [F] median or mean
  std::vector<double> scale;       // [F] IQR or sd, never 0

  // REQUIRES: row.size() == names.size(). In place.
  void apply(std::span<float> row) const;
};

struct Scalers {
  ColumnScaler candle;     // RobustScaler over the 5 candle features
  ColumnScaler indicator;  // StandardScaler over the 19 indicator features
  ColumnScaler context;    // StandardScaler over the 12 context features
};

// {"candle_scaler": {"center_": [...], "scale_": [...], "feature_names": [...]},
//  "indicator_scaler": {"mean_": [...], "scale_": [...], "feature_names": [...]},
//  "context_scaler": {"mean_": [...], "scale_": [...], "feature_names": [...]}}
nlohmann::json scalers_to_json(const Scalers& scalers);
// Throws DataError naming the field when the JSON is not such a document, or its feature
// names are not this build's (in order).
Scalers scalers_from_json(const nlohmann::json& json);

}  // namespace snipe
