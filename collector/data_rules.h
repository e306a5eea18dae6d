#pragma once
// What an accepted series must look like to yield examples: the [validation] and [labels]
// rules (each section's own validator, in shared/), plus the one rule across the two that
// the collector owns, since it cuts the examples.

#include <string_view>

#include "shared/features/labels.h"
#include "shared/market/validation.h"

namespace snipe::collector {

// Both sections' rules, then validation.min_candles >= feature warm-up + labels.horizon + 1
// (a shorter accepted series could yield no example). Throws ConfigError naming the field.
void validate_data_rules(const ValidationOptions& validation, const LabelOptions& labels, std::string_view origin);

}  // namespace snipe::collector
