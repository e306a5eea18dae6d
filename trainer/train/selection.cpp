#include "trainer/train/selection.h"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "shared/core/errors.h"
#include "shared/core/option_rule.h"

namespace snipe::trainer {
namespace {

constexpr std::array<std::pair<Selection, std::string_view>, 4> kNames = {{
    {Selection::kMeanAuc, "mean_auc"},
    {Selection::kProfitableAuc, "profitable_auc"},
    {Selection::kRugAuc, "rug_auc"},
    {Selection::kWeightedAuc, "weighted_auc"},
}};

// (1 - w) a + w b over the defined terms, renormalised; NaN when neither is.
double weighted(double a, double b, double w) {
  double sum = 0.0, weights = 0.0;
  for (const auto& [value, weight] : {std::pair{a, 1.0 - w}, std::pair{b, w}}) {
    if (std::isnan(value) || weight == 0.0) continue;
    sum += weight * value;
    weights += weight;
  }
  return weights == 0.0 ? std::nan("") : sum / weights;
}

}  // namespace

Selection parse_selection(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  throw ConfigError(fmt::format("unknown selection '{}': use mean_auc, profitable_auc, rug_auc or weighted_auc "
                                "(with select_rug_weight)",
                                name));
}

std::string_view selection_name(Selection selection) {
  for (const auto& [value, text] : kNames) {
    if (value == selection) return text;
  }
  return "unknown";
}

double selection_score(const SelectionOptions& options, const MetricsRecord& val) {
  const double p = val.profitable.roc_auc, r = val.rug.roc_auc;
  switch (options.criterion) {
    case Selection::kMeanAuc: return weighted(p, r, 0.5);
    case Selection::kProfitableAuc: return p;
    case Selection::kRugAuc: return r;
    case Selection::kWeightedAuc: return weighted(p, r, options.rug_weight);
  }
  return std::nan("");
}

void validate_options(const SelectionOptions& options, std::string_view origin) {
  require_option(options.rug_weight >= 0.0 && options.rug_weight <= 1.0, origin, "train.select_rug_weight",
                 options.rug_weight, "in [0, 1] (the rug head's share of weighted_auc)");
}

}  // namespace snipe::trainer
