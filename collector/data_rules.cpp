#include "collector/data_rules.h"

#include <fmt/format.h>

#include "shared/core/option_rule.h"
#include "shared/features/model_features.h"

namespace snipe::collector {

void validate_data_rules(const ValidationOptions& validation, const LabelOptions& labels, std::string_view origin) {
  validate_options(validation, origin);
  validate_options(labels, origin);
  const std::size_t shortest_useful = kModelFeatureWarmup + labels.horizon + 1;
  require_option(validation.min_candles >= shortest_useful, origin, "validation.min_candles", validation.min_candles,
                 fmt::format(">= {} (feature warm-up {} + labels.horizon {} + 1), or an accepted series could "
                             "yield no example",
                             shortest_useful, kModelFeatureWarmup, labels.horizon));
}

}  // namespace snipe::collector
