// Scalers, class weights and order statistics computed across ranks equal what one
// process computes on everything. ctest runs this binary as one process and under mpirun
// with 2 and 3 ranks; every rank builds the same data from fixed seeds and computes the
// single-process reference itself (std::sort of the union, or the one-process fit), so
// the comparisons need no file exchange and are meaningful from 2 ranks on.

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "shared/comm/communicator.h"
#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/data/distributed_select.h"
#include "trainer/data/scalers.h"

namespace snipe::trainer {
namespace {

std::unique_ptr<Communicator> job_communicator(const MpiContext& mpi) { return make_communicator({}, mpi); }

// ---- order statistics -------------------------------------------------------------------

// Rank r's values for a case; every rank can generate every rank's part.
using PartOf = std::function<std::vector<double>(int rank)>;

std::vector<double> sorted_union(const PartOf& part, int ranks) {
  std::vector<double> all;
  for (int r = 0; r < ranks; ++r) {
    const std::vector<double> p = part(r);
    all.insert(all.end(), p.begin(), p.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

// Checks order statistics 0, n - 1, the middle and 20 random positions, bit for bit.
void expect_order_statistics(const PartOf& part, const char* name) {
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
  const std::vector<double> mine = part(comm->rank());
  const std::vector<double> all = sorted_union(part, comm->size());
  ASSERT_FALSE(all.empty());
  std::vector<std::uint64_t> ks = {0, all.size() - 1, all.size() / 2};
  std::mt19937_64 positions(99);  // the same positions on every rank
  for (int i = 0; i < 20; ++i) ks.push_back(positions() % all.size());
  for (const std::uint64_t k : ks) {
    const double got = select_order_statistic(mine, k, *comm);
    ASSERT_EQ(std::bit_cast<std::uint64_t>(got), std::bit_cast<std::uint64_t>(all[k]))
        << name << ": order statistic " << k << " of " << all.size() << " is " << all[k] << ", got " << got;
  }
}

TEST(DistributedSelect, FewValuesMatchTheSortedUnion) {
  expect_order_statistics([](int r) {
    std::mt19937_64 g(10 + static_cast<std::uint64_t>(r));
    std::vector<double> v(100 + 37 * static_cast<std::size_t>(r));
    for (double& x : v) x = std::normal_distribution<double>(r, 3)(g);
    return v;
  }, "normal");
}

TEST(DistributedSelect, ManyValuesTakeTheHistogramPathAndStayExact) {
  // 200000 values over the ranks: more than the 65536 gathered directly.
  expect_order_statistics([](int r) {
    std::mt19937_64 g(20 + static_cast<std::uint64_t>(r));
    std::vector<double> v(200000 / 3 + 1000 * static_cast<std::size_t>(r));
    for (double& x : v) x = std::lognormal_distribution<double>(0, 2)(g) - 3.0;
    return v;
  }, "lognormal");
}

TEST(DistributedSelect, DuplicatesAndAllEqualValues) {
  expect_order_statistics([](int r) {
    std::mt19937_64 g(30 + static_cast<std::uint64_t>(r));
    std::vector<double> v(90000);
    for (double& x : v) x = static_cast<double>(g() % 5) * 0.25;  // five distinct values
    return v;
  }, "five values");
  expect_order_statistics([](int) { return std::vector<double>(70000, -2.5); }, "all equal");
}

TEST(DistributedSelect, ExtremeMagnitudesAndNeighboursOneBitApart) {
  expect_order_statistics([](int r) {
    std::mt19937_64 g(40 + static_cast<std::uint64_t>(r));
    std::vector<double> v;
    for (int i = 0; i < 80000; ++i) {
      const double magnitude = std::pow(10.0, std::uniform_real_distribution<double>(-300, 300)(g));
      v.push_back(g() % 2 ? magnitude : -magnitude);
    }
    v.push_back(std::numeric_limits<double>::max());
    v.push_back(-std::numeric_limits<double>::max());
    v.push_back(std::numeric_limits<double>::denorm_min());
    for (int i = 0; i < 40000; ++i) v.push_back(std::nextafter(1.0, 2.0 + i % 3));  // 1 and the next double
    return v;
  }, "extremes");
}

TEST(DistributedSelect, ARankWithoutValuesTakesPart) {
  expect_order_statistics([](int r) {
    if (r == 1) return std::vector<double>{};
    std::mt19937_64 g(50 + static_cast<std::uint64_t>(r));
    std::vector<double> v(70000);
    for (double& x : v) x = std::uniform_real_distribution<double>(-1, 1)(g);
    return v;
  }, "one empty rank");
}

TEST(DistributedSelect, QuantilesFollowNumpysLinearRule) {
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
  // Rank r holds {r, r + 10}: the union's sorted values for W ranks are 0..W-1, 10..W+9.
  const std::vector<double> mine = {static_cast<double>(comm->rank()), comm->rank() + 10.0};
  std::vector<double> all;
  for (int r = 0; r < comm->size(); ++r) all.insert(all.end(), {static_cast<double>(r), r + 10.0});
  std::sort(all.begin(), all.end());
  for (const double p : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double h = static_cast<double>(all.size() - 1) * p;
    const auto k = static_cast<std::size_t>(std::floor(h));
    const double expected = k + 1 < all.size() ? all[k] + (h - k) * (all[k + 1] - all[k]) : all[k];
    EXPECT_DOUBLE_EQ(distributed_quantile(mine, p, *comm), expected) << "p " << p;
  }
}

// ---- scalers and class weights ----------------------------------------------------------

// Seven series of 150..400 rows, each drawn from its own distribution, with examples at
// every row from 60 on; train = all but every fifth example. The same on every rank.
struct Fixture {
  DataSet data;
  std::vector<std::uint32_t> train;
};

Fixture random_data_set() {
  Fixture f;
  std::mt19937_64 g(7);
  for (std::uint32_t s = 0; s < 7; ++s) {
    SeriesRecord series;
    series.token = "tok" + std::to_string(s);
    const std::size_t rows = 150 + g() % 250;
    std::normal_distribution<float> value(static_cast<float>(s) - 3.0f, 0.5f + static_cast<float>(s));
    for (std::size_t r = 0; r < rows * kCandleFeatureCount; ++r) series.candle_features.push_back(value(g));
    for (std::size_t r = 0; r < rows * kIndicatorFeatureCount; ++r) series.indicator_features.push_back(value(g));
    series.context[ContextField::kInitialLiquidityUsd] = static_cast<double>(1000 + g() % 90000);
    series.context[ContextField::kTop10HolderShare] = static_cast<double>(g() % 100) / 100.0;
    if (s % 2 == 0) series.context[ContextField::kAgeHours] = static_cast<double>(g() % 48);  // else missing
    f.data.series.push_back(std::move(series));
    for (std::uint32_t end = 60; end < rows; ++end) {
      const auto index = static_cast<std::uint32_t>(f.data.examples.size());
      f.data.examples.push_back({.series = s, .end_row = end, .profitable = g() % 3 == 0, .max_profit = 0.1f,
                                 .rug = g() % 7 == 0});
      if (index % 5 != 4) f.train.push_back(index);
    }
  }
  return f;
}

constexpr std::size_t kWindow = 32;

void expect_standard_near(const ColumnScaler& got, const ColumnScaler& want, const char* which) {
  ASSERT_EQ(got.names, want.names);
  for (std::size_t i = 0; i < got.center.size(); ++i) {
    EXPECT_NEAR(got.center[i], want.center[i], 1e-12 * std::max(1.0, std::abs(want.center[i]))) << which << " " << i;
    EXPECT_NEAR(got.scale[i], want.scale[i], 1e-12 * want.scale[i]) << which << " " << i;
  }
}

TEST(DistributedFit, MatchesOneProcessOnTheWholeTrainSplit) {
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
  const Fixture f = random_data_set();
  const std::vector<std::uint32_t> share = fitting_share(f.data, f.train, comm->rank(), comm->size());
  const Scalers together = fit_scalers(f.data, share, kWindow, *comm);
  const Scalers alone = fit_scalers(f.data, f.train, kWindow);

  EXPECT_EQ(together.candle.center, alone.candle.center) << "RobustScaler medians bit for bit";
  EXPECT_EQ(together.candle.scale, alone.candle.scale) << "RobustScaler IQRs bit for bit";
  expect_standard_near(together.indicator, alone.indicator, "indicator");
  expect_standard_near(together.context, alone.context, "context");

  const LabelWeights weights_together = balanced_class_weights(f.data, share, *comm);
  const LabelWeights weights_alone = balanced_class_weights(f.data, f.train);
  EXPECT_EQ(weights_together.profitable.positive, weights_alone.profitable.positive);
  EXPECT_EQ(weights_together.profitable.negative, weights_alone.profitable.negative);
  EXPECT_EQ(weights_together.rug.positive, weights_alone.rug.positive);
  EXPECT_EQ(weights_together.rug.negative, weights_alone.rug.negative);
}

TEST(DistributedFit, ANonFiniteValueOnOneRanksShareIsRefusedOnEveryRank) {
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
  Fixture f = random_data_set();
  // A NaN in the last rank's first series, inside a train window.
  const std::vector<std::uint32_t> last = fitting_share(f.data, f.train, comm->size() - 1, comm->size());
  ASSERT_FALSE(last.empty());
  const Example& e = f.data.examples[last.front()];
  f.data.series[e.series].candle_features[e.end_row * kCandleFeatureCount] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::uint32_t> share = fitting_share(f.data, f.train, comm->rank(), comm->size());
  EXPECT_THROW(fit_scalers(f.data, share, kWindow, *comm), DataError) << "rank " << comm->rank();
}

TEST(FittingShare, SharesAreDisjointCoverTrainKeepSeriesWholeAndBalance) {
  const Fixture f = random_data_set();
  for (int world = 1; world <= 4; ++world) {
    std::set<std::uint32_t> seen;
    std::vector<std::size_t> loads;
    std::vector<int> owner(f.data.series.size(), -1);
    for (int rank = 0; rank < world; ++rank) {
      const std::vector<std::uint32_t> share = fitting_share(f.data, f.train, rank, world);
      EXPECT_TRUE(std::is_sorted(share.begin(), share.end()));
      for (const std::uint32_t i : share) {
        EXPECT_TRUE(seen.insert(i).second) << "example " << i << " in two shares";
        int& o = owner[f.data.examples[i].series];
        EXPECT_TRUE(o == -1 || o == rank) << "series " << f.data.examples[i].series << " split over ranks";
        o = rank;
      }
      loads.push_back(share.size());
    }
    EXPECT_EQ(seen, std::set<std::uint32_t>(f.train.begin(), f.train.end())) << world << " ranks";
    std::vector<std::size_t> per_series(f.data.series.size(), 0);
    for (const std::uint32_t i : f.train) ++per_series[f.data.examples[i].series];
    const std::size_t largest = *std::max_element(per_series.begin(), per_series.end());
    EXPECT_LE(*std::max_element(loads.begin(), loads.end()) - *std::min_element(loads.begin(), loads.end()), largest)
        << world << " ranks";
  }
}

}  // namespace
}  // namespace snipe::trainer
