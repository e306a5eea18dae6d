#pragma once
// Exact order statistics of values spread over the ranks, without gathering them: the
// k-th smallest of the union of every rank's values, found by histogram refinement. Each
// round all-reduces the candidates' range and a histogram of 4096 bins, keeps the bin that
// holds position k and drops the rest, so the candidates shrink ~4000-fold per round; once
// few enough are left (<= 65536 over all ranks) they are gathered and selected directly.
// The answer is one of the values, bit for bit the one a sort of the union would give.

#include <cstdint>
#include <span>

#include "shared/comm/communicator.h"

namespace snipe::trainer {

// Collective: every rank calls it with the same `k`, and gets the same answer.
// REQUIRES: every value finite; k < the number of values over all ranks.
double select_order_statistic(std::span<const double> local, std::uint64_t k, Communicator& comm);

// numpy.quantile(union of the ranks' values, p) with the default 'linear' method:
// h = (n - 1) p between the order statistics floor(h) and floor(h) + 1, interpolated the
// way numpy's _lerp does. Collective. REQUIRES: every value finite; at least one value over all ranks.
double distributed_quantile(std::span<const double> local, double p, Communicator& comm);

// The number of values over all ranks. Collective.
std::uint64_t global_count(std::size_t local, Communicator& comm);

}  // namespace snipe::trainer
