#pragma once
// The JSON form of LabelOptions, as manifest.json and metadata.json hold it:
//   {"horizon": 24, "take_profit": 0.2, "stop_loss": 0.1, "rug_drop": 0.8}

#include <nlohmann/json.hpp>

#include "shared/core/json_fields.h"
#include "shared/features/labels.h"

namespace snipe {

nlohmann::json to_json(const LabelOptions& labels);
// Throws DataError naming the file and the field when one is missing or mistyped, or the
// horizon is below 1.
LabelOptions labels_from_json(const JsonFields& labels);

}  // namespace snipe
