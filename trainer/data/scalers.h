#pragma once
// Fitting the feature scalers (shared/features/scaling.h) with sklearn semantics, on the
// train split only.
//   candle features     RobustScaler:   center_ = median, scale_ = q75 - q25 (linear
//                                       interpolation, numpy's default), 1 where 0
//   indicator features  StandardScaler: mean_, population sd, 1 where 0
//   context features    StandardScaler over one row per train example (values + masks)
// x_scaled = (x - center) / scale.
//
// Data-parallel runs fit across ranks: every rank passes its fitting_share() of the train
// split and gets the scalers of the whole split. Medians and quartiles come from exact
// distributed order statistics (distributed_select.h), so the RobustScaler equals the
// single-process one bit for bit; means and variances merge each rank's two-pass moments
// with Chan et al.'s formula in rank order, equal to the single-process fit to rounding
// (~1e-15 relative). Class weights sum the ranks' label counts: exact. The one-process
// forms are the same code on a communicator of this process alone. A refusal is made on
// every rank alike, never on one rank while the others wait in a collective.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/comm/communicator.h"
#include "shared/features/scaling.h"
#include "trainer/data/data_set.h"

namespace snipe::trainer {

// The scalers themselves (and their JSON form) live with the feature library, which the
// inference shim shares: shared/features/scaling.h.
using snipe::ColumnScaler;
using snipe::Scalers;

// This rank's share of the train examples for fitting: whole series (the rows of a series'
// overlapping windows are counted once, which needs all of them on one rank), dealt out
// greedily, most examples first (ties by series index), to the least loaded rank (ties to
// the lower rank), so the ranks' loads end within the largest series' count of each other.
// The shares are disjoint and cover `train`; each is a subsequence of `train` (ascending
// as Split's lists are); a rank may get none. `world` 1: `train` itself. Every rank
// computes every share alike (no communication). Throws DataError for a train example
// outside `data`, std::invalid_argument unless 0 <= rank < world.
std::vector<std::uint32_t> fitting_share(const DataSet& data, const std::vector<std::uint32_t>& train, int rank,
                                         int world);

// Fits on the rows covered by the windows of the train examples (each row once) and on the
// context of each train example; every rank passes its fitting_share() and gets the same
// scalers. `window` is T. Collective: a refusal (NaN, or an infinity reaching a fitted
// value; a damaged example in any rank's share; no train examples on any rank) is thrown
// on every rank alike, as a DataError with the same message.
Scalers fit_scalers(const DataSet& data, const std::vector<std::uint32_t>& share, std::size_t window,
                    Communicator& comm);
// One process over the whole train split.
Scalers fit_scalers(const DataSet& data, const std::vector<std::uint32_t>& train, std::size_t window);

// sklearn's class_weight='balanced' for a binary label: n / (2 * count(class)).
struct ClassWeights {
  double negative = 1.0;  // weight of label 0
  double positive = 1.0;  // weight of label 1
};
struct LabelWeights {
  ClassWeights profitable;
  ClassWeights rug;
};
// Throws DataError when a class is absent from the train split (its weight would be
// infinite) or an example is out of range. Collective: every rank passes its share; the
// counts are summed; a refusal is thrown on every rank alike.
LabelWeights balanced_class_weights(const DataSet& data, const std::vector<std::uint32_t>& share,
                                    Communicator& comm);
// One process over the whole train split.
LabelWeights balanced_class_weights(const DataSet& data, const std::vector<std::uint32_t>& train);

}  // namespace snipe::trainer
