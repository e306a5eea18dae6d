#pragma once
// Exact order statistics of values spread over the ranks, without gathering them: the
// k-th smallest of the union of every rank's values, found by histogram refinement. Each
// round all-reduces the candidates' range and a histogram of kSelectBins bins, keeps the
// bin that holds position k and drops the rest, so the candidates shrink ~4000-fold per
// round on spread-out data (and by at least one value always); once few enough are left
// (<= kSelectGatherLimit over all ranks) they are gathered, bit for bit, and selected
// directly. The answer is one of the values, bit for bit the one a sort of the union puts
// at position k. The one thing no order decides: where the union holds both 0 and -0
// (equal, so unordered), which of them comes back.
//
// Collective: every rank calls with the same k (or p) and gets the same answer; a refusal
// (std::invalid_argument) is thrown on every rank alike.

#include <cstddef>
#include <cstdint>
#include <span>

#include "shared/comm/communicator.h"

namespace snipe::trainer {

// Candidates over all ranks at or below this count are gathered and selected directly.
inline constexpr std::uint64_t kSelectGatherLimit = std::uint64_t{1} << 16;
// Bins of one histogram round.
inline constexpr std::size_t kSelectBins = 4096;

// The k-th smallest (0-based) value of the union of every rank's `local` values; a rank
// may hold none. Infinities are ordinary values. REQUIRES: no value is NaN and k < n, the
// number of values over all ranks; both are checked, collectively, and refused with
// std::invalid_argument.
double select_order_statistic(std::span<const double> local, std::uint64_t k, Communicator& comm);

// numpy.quantile(union of the ranks' values, p) with the default 'linear' method:
// h = (n - 1) p between the order statistics floor(h) and floor(h) + 1, interpolated the
// way numpy's _lerp does (b - (b - a)(1 - t) when t >= 0.5). REQUIRES: no NaN; at least one
// value over all ranks; 0 <= p <= 1.
double distributed_quantile(std::span<const double> local, double p, Communicator& comm);

// The number of values over all ranks.
std::uint64_t global_count(std::size_t local, Communicator& comm);

}  // namespace snipe::trainer
