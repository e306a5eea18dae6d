#include "trainer/data/distributed_select.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace snipe::trainer {
namespace {

// What every rank's values hold, summed over the ranks.
struct Census {
  std::uint64_t n = 0;          // values
  std::uint64_t nan = 0;        // of them NaN
  std::uint64_t below = 0;      // -inf
  std::uint64_t above = 0;      // +inf
  std::uint64_t finite() const { return n - nan - below - above; }
};

Census census(std::span<const double> local, Communicator& comm) {
  std::array<std::int64_t, 4> counts{static_cast<std::int64_t>(local.size()), 0, 0, 0};  // {n, nan, -inf, +inf}
  for (const double v : local) {
    if (std::isnan(v)) ++counts[1];
    if (v == -HUGE_VAL) ++counts[2];
    if (v == HUGE_VAL) ++counts[3];
  }
  comm.allreduce(buffer_of(std::span(counts)), ReduceOp::kSum);
  return {static_cast<std::uint64_t>(counts[0]), static_cast<std::uint64_t>(counts[1]),
          static_cast<std::uint64_t>(counts[2]), static_cast<std::uint64_t>(counts[3])};
}

// The global [min, max] of finite candidates (a rank may hold none), in one reduction:
// {min, -max} under kMin, negation being exact.
std::pair<double, double> global_range(const std::vector<double>& candidates, Communicator& comm) {
  std::array<double, 2> range{HUGE_VAL, HUGE_VAL};
  for (const double v : candidates) {
    range[0] = std::min(range[0], v);
    range[1] = std::min(range[1], -v);
  }
  comm.allreduce(buffer_of(std::span(range)), ReduceOp::kMin);
  return {range[0], -range[1]};
}

// The histogram bin of a finite candidate v in [lo, hi], lo < hi:
// min(B - 1, floor((v - lo) / (hi - lo) * B)). Each step is one correctly rounded IEEE
// operation, and those are monotone, so the bin never decreases with v: a bin's members
// are a contiguous run of the sorted candidates. lo lands in bin 0 and hi (whose ratio is
// exactly 1) in bin B - 1, so each round drops at least the candidates equal to lo or to
// hi. When hi - lo overflows (a range wider than the largest double) everything is halved
// first: v / 2 is monotone too, and the halved range is finite and positive.
class Bins {
 public:
  Bins(double lo, double hi) : halve_(!std::isfinite(hi - lo)), lo_(scaled(lo)), width_(scaled(hi) - lo_) {}

  std::size_t of(double v) const {
    const double position = (scaled(v) - lo_) / width_ * static_cast<double>(kSelectBins);  // [0, B]
    return std::min(kSelectBins - 1, static_cast<std::size_t>(position));
  }

 private:
  double scaled(double v) const { return halve_ ? v * 0.5 : v; }

  bool halve_;
  double lo_;
  double width_;
};

// The position-th smallest of the finite candidates over all ranks; `count` of them over
// all ranks, position < count.
double select_finite(std::vector<double> candidates, std::uint64_t count, std::uint64_t position,
                     Communicator& comm) {
  while (count > kSelectGatherLimit) {
    const auto [lo, hi] = global_range(candidates, comm);
    if (lo == hi) return lo;
    const Bins bins(lo, hi);
    std::vector<std::int64_t> histogram(kSelectBins, 0);  // [bin] candidates over all ranks
    for (const double v : candidates) ++histogram[bins.of(v)];
    comm.allreduce(buffer_of(std::span(histogram)), ReduceOp::kSum);
    std::size_t bin = 0;
    for (; position >= static_cast<std::uint64_t>(histogram[bin]); ++bin) {
      position -= static_cast<std::uint64_t>(histogram[bin]);  // these candidates are all smaller
    }
    count = static_cast<std::uint64_t>(histogram[bin]);
    std::erase_if(candidates, [&bins, bin](double v) { return bins.of(v) != bin; });
  }
  std::vector<double> all = allgather(comm, std::span<const double>(candidates));
  const auto at = all.begin() + static_cast<std::ptrdiff_t>(position);
  std::nth_element(all.begin(), at, all.end());
  return *at;
}

}  // namespace

std::uint64_t global_count(std::size_t local, Communicator& comm) {
  std::array<std::int64_t, 1> n{static_cast<std::int64_t>(local)};
  comm.allreduce(buffer_of(std::span(n)), ReduceOp::kSum);
  return static_cast<std::uint64_t>(n[0]);
}

double select_order_statistic(std::span<const double> local, std::uint64_t k, Communicator& comm) {
  const Census c = census(local, comm);
  if (c.nan > 0) {
    throw std::invalid_argument(fmt::format("select_order_statistic: {} of the {} values over all ranks are NaN, "
                                            "which have no order",
                                            c.nan, c.n));
  }
  if (k >= c.n) {
    throw std::invalid_argument(
        fmt::format("select_order_statistic: position {} is past the {} values over all ranks", k, c.n));
  }
  if (k < c.below) return -HUGE_VAL;
  if (k >= c.n - c.above) return HUGE_VAL;
  std::vector<double> finite;
  finite.reserve(local.size());
  std::copy_if(local.begin(), local.end(), std::back_inserter(finite), [](double v) { return std::isfinite(v); });
  return select_finite(std::move(finite), c.finite(), k - c.below, comm);
}

double distributed_quantile(std::span<const double> local, double p, Communicator& comm) {
  const std::uint64_t n = global_count(local.size(), comm);
  if (n == 0) throw std::invalid_argument("distributed_quantile: there are no values on any rank");
  const double h = static_cast<double>(n - 1) * p;
  const auto k = static_cast<std::uint64_t>(std::floor(h));
  const double t = h - static_cast<double>(k);
  const double a = select_order_statistic(local, k, comm);
  const double b = k + 1 < n ? select_order_statistic(local, k + 1, comm) : a;
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

}  // namespace snipe::trainer
