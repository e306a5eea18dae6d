#include "trainer/data/distributed_select.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace snipe::trainer {
namespace {

constexpr std::size_t kBins = 4096;
constexpr std::uint64_t kGatherLimit = 1u << 16;  // candidates over all ranks selected directly

// The bin of `v` in [lo, hi] (lo < hi, both finite): monotone non-decreasing in v, so
// each bin's members are a contiguous run of the sorted values; lo falls in bin 0, hi in
// the last. In long double, whose range holds any difference of two doubles without
// overflow, and in which two distinct doubles never differ by 0.
using Wide = long double;
static_assert(std::numeric_limits<Wide>::max_exponent > std::numeric_limits<double>::max_exponent &&
                  std::numeric_limits<Wide>::min_exponent < std::numeric_limits<double>::min_exponent,
              "bin_of needs a long double of wider range than double (x86-64, AArch64)");

std::size_t bin_of(double v, double lo, double hi) {
  const Wide position = (Wide{v} - Wide{lo}) / (Wide{hi} - Wide{lo}) * static_cast<Wide>(kBins);
  return std::min(kBins - 1, static_cast<std::size_t>(std::max(Wide{0}, std::floor(position))));
}

// The global [min, max] of the candidates (each rank may hold none).
std::pair<double, double> global_range(const std::vector<double>& candidates, Communicator& comm) {
  std::array<double, 2> range{HUGE_VAL, HUGE_VAL};  // {min, -max}: one kMin reduction
  for (const double v : candidates) {
    range[0] = std::min(range[0], v);
    range[1] = std::min(range[1], -v);
  }
  comm.allreduce(buffer_of(std::span(range)), ReduceOp::kMin);
  return {range[0], -range[1]};
}

}  // namespace

std::uint64_t global_count(std::size_t local, Communicator& comm) {
  std::array<std::int64_t, 1> n{static_cast<std::int64_t>(local)};
  comm.allreduce(buffer_of(std::span(n)), ReduceOp::kSum);
  return static_cast<std::uint64_t>(n[0]);
}

double select_order_statistic(std::span<const double> local, std::uint64_t k, Communicator& comm) {
  std::vector<double> candidates(local.begin(), local.end());
  std::uint64_t below = 0;  // values over all ranks smaller than every candidate
  while (true) {
    const std::uint64_t count = global_count(candidates.size(), comm);
    if (count <= kGatherLimit) {
      std::vector<double> all = allgather(comm, std::span<const double>(candidates));
      const auto at = all.begin() + static_cast<std::ptrdiff_t>(k - below);
      std::nth_element(all.begin(), at, all.end());
      return *at;
    }
    const auto [lo, hi] = global_range(candidates, comm);
    if (lo == hi) return lo;
    std::vector<std::int64_t> histogram(kBins, 0);  // [bin] candidates over all ranks
    for (const double v : candidates) ++histogram[bin_of(v, lo, hi)];
    comm.allreduce(buffer_of(std::span(histogram)), ReduceOp::kSum);
    std::size_t bin = 0;
    for (; below + static_cast<std::uint64_t>(histogram[bin]) <= k; ++bin) below += static_cast<std::uint64_t>(histogram[bin]);
    std::erase_if(candidates, [&, lo = lo, hi = hi](double v) { return bin_of(v, lo, hi) != bin; });
  }
}

double distributed_quantile(std::span<const double> local, double p, Communicator& comm) {
  const std::uint64_t n = global_count(local.size(), comm);
  const double h = static_cast<double>(n - 1) * p;
  const auto k = static_cast<std::uint64_t>(std::floor(h));
  const double t = h - static_cast<double>(k);
  const double a = select_order_statistic(local, k, comm);
  const double b = k + 1 < n ? select_order_statistic(local, k + 1, comm) : a;
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

}  // namespace snipe::trainer
