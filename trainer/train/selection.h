#pragma once
// Which epoch is best: the score every epoch's val metrics are ranked by, for the best
// weights and early stopping ([train] select, select_rug_weight). Plain C++.

#include <string_view>

#include "trainer/train/metrics.h"

namespace snipe::trainer {

enum class Selection {
  kMeanAuc,        // "mean_auc": the mean of the profitable and rug heads' val ROC-AUC (default)
  kProfitableAuc,  // "profitable_auc": the profitable head's alone
  kRugAuc,         // "rug_auc": the rug head's alone
  kWeightedAuc,    // "weighted_auc": (1 - w) profitable + w rug, w = select_rug_weight
};

struct SelectionOptions {
  Selection criterion = Selection::kMeanAuc;
  double rug_weight = 0.5;  // w of kWeightedAuc, in [0, 1]
};

// Throws ConfigError listing the names. selection_name is its inverse.
Selection parse_selection(std::string_view name);
std::string_view selection_name(Selection selection);

// The score of `val` (higher is better). A head whose AUC is undefined (one class in
// val) drops out of a mean; NaN when no head it reads is defined.
double selection_score(const SelectionOptions& options, const MetricsRecord& val);

// "origin: train.select_rug_weight = v must be in [0, 1]". Throws ConfigError.
void validate_options(const SelectionOptions& options, std::string_view origin);

}  // namespace snipe::trainer
