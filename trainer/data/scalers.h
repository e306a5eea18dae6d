#pragma once
// Feature scaling with sklearn semantics, fitted on the train split only, and its JSON
// form (the prototype's scalers.json, plus feature names) that the shim loads.
//   candle features     RobustScaler:   center_ = median, scale_ = q75 - q25 (linear
//                                       interpolation, numpy's default), 1 where 0
//   indicator features  StandardScaler: mean_, population sd, 1 where 0
//   context features    StandardScaler over one row per train example (values + masks)
// x_scaled = (x - center) / scale.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trainer/data/data_set.h"

namespace snipe::trainer {

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

// Fits on the rows covered by the windows of `train` examples (each row once) and on the
// context of each train example. `window` is T.
Scalers fit_scalers(const DataSet& data, const std::vector<std::uint32_t>& train, std::size_t window);

// {"candle_scaler": {"center_": [...], "scale_": [...], "feature_names": [...]},
//  "indicator_scaler": {"mean_": [...], "scale_": [...], "feature_names": [...]},
//  "context_scaler": {"mean_": [...], "scale_": [...], "feature_names": [...]}}
nlohmann::json scalers_to_json(const Scalers& scalers);
// Throws DataError naming the field when the JSON is not such a document.
Scalers scalers_from_json(const nlohmann::json& json);

// sklearn's class_weight='balanced' for a binary label: n / (2 * count(class)).
struct ClassWeights {
  double negative = 1.0;  // weight of label 0
  double positive = 1.0;  // weight of label 1
};
struct LabelWeights {
  ClassWeights profitable;
  ClassWeights rug;
};
// Throws DataError when a class is absent from `train` (its weight would be infinite).
LabelWeights balanced_class_weights(const DataSet& data, const std::vector<std::uint32_t>& train);

}  // namespace snipe::trainer
