// Scalers, class weights and order statistics computed across ranks equal what one
// process computes on everything. ctest runs this binary as one process and under mpirun
// with 2 and 3 ranks; every rank builds the same data from fixed seeds and computes the
// single-process reference itself (std::sort of the union, or the one-process fit), so
// the comparisons need no file exchange and are meaningful from 2 ranks on.

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "shared/comm/communicator.h"
#include "shared/comm/job_context.h"
#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/data/distributed_select.h"
#include "trainer/data/scalers.h"

namespace snipe::trainer {
namespace {

std::unique_ptr<Communicator> job_communicator(const JobContext& context) { return make_communicator({}, context); }

// Runs `fn`, expects a DataError whose message contains every one of `parts`.
void expect_data_error(const std::function<void()>& fn, const std::vector<std::string>& parts, int rank) {
  try {
    fn();
    ADD_FAILURE() << "rank " << rank << ": no DataError thrown";
  } catch (const DataError& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "rank " << rank << ": missing '" << part << "' in: " << message;
    }
  }
}

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

// Checks order statistics 0, n - 1, the middle, 20 random positions and `more` (positions
// found in the sorted union by `more`), bit for bit.
void expect_order_statistics(const PartOf& part, const char* name,
                             const std::function<std::vector<std::uint64_t>(const std::vector<double>&)>& more = {}) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const std::vector<double> mine = part(comm->rank());
  const std::vector<double> all = sorted_union(part, comm->size());
  ASSERT_FALSE(all.empty());
  std::vector<std::uint64_t> ks = {0, all.size() - 1, all.size() / 2};
  std::mt19937_64 positions(99);  // the same positions on every rank
  for (int i = 0; i < 20; ++i) ks.push_back(positions() % all.size());
  if (more) {
    for (const std::uint64_t k : more(all)) ks.push_back(k);
  }
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

TEST(DistributedSelect, InfinitiesAreOrdinaryValuesOnBothPaths) {
  // Each rank: 100 -inf, 50 +inf and 70000 finite values; the union's first 100 W
  // positions are -inf and its last 50 W are +inf, and the finite ones lie between.
  const auto part = [](std::size_t finite) {
    return [finite](int r) {
      std::mt19937_64 g(60 + static_cast<std::uint64_t>(r));
      std::vector<double> v(finite);
      for (double& x : v) x = std::uniform_real_distribution<double>(-5, 5)(g);
      v.insert(v.begin() + static_cast<std::ptrdiff_t>(finite / 2), 100, -HUGE_VAL);
      v.insert(v.begin() + static_cast<std::ptrdiff_t>(finite / 3), 50, HUGE_VAL);
      return v;
    };
  };
  // The boundaries: the last -inf, the first and last finite value, the first +inf.
  const auto boundaries = [](const std::vector<double>& all) {
    const auto first_finite = static_cast<std::uint64_t>(std::upper_bound(all.begin(), all.end(), -HUGE_VAL) - all.begin());
    const auto first_inf = static_cast<std::uint64_t>(std::lower_bound(all.begin(), all.end(), HUGE_VAL) - all.begin());
    return std::vector<std::uint64_t>{first_finite - 1, first_finite, first_inf - 1, first_inf};
  };
  expect_order_statistics(part(70000), "infinities, histogram path", boundaries);
  expect_order_statistics(part(1000), "infinities, gathered", boundaries);
}

TEST(DistributedSelect, NegativeZeroKeepsItsSign) {
  // -0 among nonzero values (no +0, so the sorted union puts -0 at a definite place):
  // the answer must be -0 itself, bit for bit, on the gathered path too.
  const auto part = [](std::size_t count) {
    return [count](int r) {
      std::mt19937_64 g(70 + static_cast<std::uint64_t>(r));
      std::vector<double> v(count);
      for (double& x : v) x = g() % 4 == 0 ? -0.0 : std::uniform_real_distribution<double>(0.5, 1)(g) * (g() % 2 ? 1 : -1);
      return v;
    };
  };
  const auto zeros = [](const std::vector<double>& all) {
    const auto first = static_cast<std::uint64_t>(std::lower_bound(all.begin(), all.end(), 0.0) - all.begin());
    const auto end = static_cast<std::uint64_t>(std::upper_bound(all.begin(), all.end(), 0.0) - all.begin());
    return std::vector<std::uint64_t>{first, (first + end) / 2, end - 1};
  };
  expect_order_statistics(part(500), "-0, gathered", zeros);
  expect_order_statistics(part(70000), "-0, histogram path", zeros);
  expect_order_statistics([](int) { return std::vector<double>(30000, -0.0); }, "all -0");
}

// Runs `fn`, expects std::invalid_argument whose message contains `part`.
void expect_invalid_argument(const std::function<void()>& fn, const std::string& part, int rank) {
  try {
    fn();
    ADD_FAILURE() << "rank " << rank << ": no std::invalid_argument thrown";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << "rank " << rank << ": " << e.what();
  }
}

TEST(DistributedSelect, RefusesNaNAndPositionsPastTheEndOnEveryRank) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const bool last = comm->rank() == comm->size() - 1;
  // 3 values per rank; a NaN on the last rank only: every rank refuses, none waits.
  std::vector<double> mine = {1.0, 2.0, last ? std::nan("") : 3.0};
  expect_invalid_argument([&] { select_order_statistic(mine, 0, *comm); }, "NaN", comm->rank());
  mine.back() = 3.0;
  const auto n = static_cast<std::uint64_t>(3 * comm->size());
  expect_invalid_argument([&] { select_order_statistic(mine, n, *comm); }, "position", comm->rank());
  EXPECT_EQ(select_order_statistic(mine, n - 1, *comm), 3.0);  // still in step after the refusals
}

TEST(DistributedSelect, QuantilesFollowNumpysLinearRule) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
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

// `series` series of min_rows..min_rows + extra_rows - 1 rows, each drawn from its own
// distribution (candle features log-normal, so heavy-tailed; indicators normal), with
// examples at every row from 60 on; train = all but every fifth example. The same on
// every rank.
struct Shape {
  std::uint32_t series = 7;
  std::size_t min_rows = 150;
  std::size_t extra_rows = 250;
};

struct Fixture {
  DataSet data;
  std::vector<std::uint32_t> train;
};

Fixture random_data_set(const Shape& shape = {}) {
  Fixture f;
  std::mt19937_64 g(7);
  for (std::uint32_t s = 0; s < shape.series; ++s) {
    SeriesRecord series;
    series.token = "tok" + std::to_string(s);
    const std::size_t rows = shape.min_rows + g() % shape.extra_rows;
    std::lognormal_distribution<float> candle(static_cast<float>(s % 4) - 1.0f, 1.0f + 0.25f * static_cast<float>(s % 5));
    std::normal_distribution<float> value(static_cast<float>(s % 7) - 3.0f, 0.5f + static_cast<float>(s % 7));
    for (std::size_t r = 0; r < rows * kCandleFeatureCount; ++r) series.candle_features.push_back(candle(g) - 2.0f);
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

// The two fits sum up to ~1e5 values in different orders; each sum's relative error is
// bounded by ~n eps (2e-11 at n = 1e5), so they may differ by that much. A wrong merge is
// off by orders of magnitude more.
constexpr double kMomentTolerance = 1e-10;

void expect_standard_near(const ColumnScaler& got, const ColumnScaler& want, const char* which) {
  ASSERT_EQ(got.names, want.names);
  for (std::size_t i = 0; i < got.center.size(); ++i) {
    EXPECT_NEAR(got.center[i], want.center[i], kMomentTolerance * std::max(1.0, std::abs(want.center[i])))
        << which << " " << i;
    EXPECT_NEAR(got.scale[i], want.scale[i], kMomentTolerance * want.scale[i]) << which << " " << i;
  }
}

// Every rank fits on its fitting_share() of `f` and checks the result against the
// one-process fit on the whole train split, computed by itself.
void expect_fit_matches_one_process(const Fixture& f, Communicator& comm) {
  const std::vector<std::uint32_t> share = fitting_share(f.data, f.train, comm.rank(), comm.size());
  const Scalers together = fit_scalers(f.data, share, kWindow, comm);
  const Scalers alone = fit_scalers(f.data, f.train, kWindow);

  EXPECT_EQ(together.candle.center, alone.candle.center) << "RobustScaler medians bit for bit";
  EXPECT_EQ(together.candle.scale, alone.candle.scale) << "RobustScaler IQRs bit for bit";
  expect_standard_near(together.indicator, alone.indicator, "indicator");
  expect_standard_near(together.context, alone.context, "context");

  const LabelWeights weights_together = balanced_class_weights(f.data, share, comm);
  const LabelWeights weights_alone = balanced_class_weights(f.data, f.train);
  EXPECT_EQ(weights_together.profitable.positive, weights_alone.profitable.positive);
  EXPECT_EQ(weights_together.profitable.negative, weights_alone.profitable.negative);
  EXPECT_EQ(weights_together.rug.positive, weights_alone.rug.positive);
  EXPECT_EQ(weights_together.rug.negative, weights_alone.rug.negative);
}

TEST(DistributedFit, MatchesOneProcessOnTheWholeTrainSplit) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  expect_fit_matches_one_process(random_data_set(), *comm);
}

TEST(DistributedFit, MatchesOneProcessWhenTheMediansTakeTheHistogramPath) {
  // 4 series of 25000..29999 rows: ~110000 covered rows, more than are gathered directly.
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  expect_fit_matches_one_process(random_data_set({.series = 4, .min_rows = 25000, .extra_rows = 5000}), *comm);
}

TEST(DistributedFit, ARankWithAnEmptyShareTakesPart) {
  // One series fewer than ranks (at least one): the last rank fits on nothing.
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const auto series = static_cast<std::uint32_t>(std::max(1, comm->size() - 1));
  const Fixture f = random_data_set({.series = series});
  if (comm->size() > 1) {
    EXPECT_TRUE(fitting_share(f.data, f.train, comm->size() - 1, comm->size()).empty());
  }
  expect_fit_matches_one_process(f, *comm);
}

TEST(DistributedFit, NoTrainExampleOnAnyRankIsRefusedOnEveryRank) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const Fixture f = random_data_set();
  expect_data_error([&] { fit_scalers(f.data, {}, kWindow, *comm); }, {"no train examples", "HINT"}, comm->rank());
  expect_data_error([&] { balanced_class_weights(f.data, {}, *comm); }, {"profitable = 0", "0 train examples"},
                    comm->rank());
}

// The last rank's first share example; every rank computes the same.
std::uint32_t last_ranks_first_example(const Fixture& f, const Communicator& comm) {
  const std::vector<std::uint32_t> last = fitting_share(f.data, f.train, comm.size() - 1, comm.size());
  EXPECT_FALSE(last.empty());
  return last.empty() ? 0 : last.front();
}

TEST(DistributedFit, ANaNOnOneRanksShareIsRefusedOnEveryRankNamingTheFeature) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const std::string candle = std::string(kCandleFeatureNames[2]);
  const std::string indicator = std::string(kIndicatorFeatureNames[5]);
  for (const bool in_candle : {true, false}) {
    Fixture f = random_data_set();
    const Example& e = f.data.examples[last_ranks_first_example(f, *comm)];
    SeriesRecord& s = f.data.series[e.series];
    if (in_candle) {
      s.candle_features[e.end_row * kCandleFeatureCount + 2] = std::numeric_limits<float>::quiet_NaN();
    } else {
      s.indicator_features[e.end_row * kIndicatorFeatureCount + 5] = std::numeric_limits<float>::quiet_NaN();
    }
    const std::vector<std::uint32_t> share = fitting_share(f.data, f.train, comm->rank(), comm->size());
    expect_data_error([&] { fit_scalers(f.data, share, kWindow, *comm); },
                      {in_candle ? "candle feature " + candle : "indicator feature " + indicator, "HINT"},
                      comm->rank());
  }
}

TEST(DistributedFit, ADamagedExampleOnOneRanksShareIsRefusedOnEveryRank) {
  // The example lies past its series' rows, or out of the example list: only the last rank
  // looks at it, yet every rank must refuse rather than wait for that rank.
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  Fixture f = random_data_set();
  const std::uint32_t damaged = last_ranks_first_example(f, *comm);
  std::vector<std::uint32_t> share = fitting_share(f.data, f.train, comm->rank(), comm->size());
  const std::uint32_t end_row = f.data.examples[damaged].end_row;
  f.data.examples[damaged].end_row = 1000000;
  expect_data_error([&] { fit_scalers(f.data, share, kWindow, *comm); }, {"end row 1000000", "HINT"}, comm->rank());
  f.data.examples[damaged].end_row = end_row;

  if (comm->rank() == comm->size() - 1) share.push_back(4000000000u);
  const std::string range = "train example 4000000000 is out of range";
  expect_data_error([&] { balanced_class_weights(f.data, share, *comm); }, {range}, comm->rank());
  expect_data_error([&] { fit_scalers(f.data, share, kWindow, *comm); }, {range}, comm->rank());
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

// Series examples (train counts): s0 2, s1 5, s2 3, s3 3, s4 1 (only a non-train example),
// interleaved in the example list. Most examples first, ties by series index: s1, s2, s3, s0.
// 2 ranks: s1 -> r0 (loads 5, 0); s2 -> r1 (5, 3); s3 -> r1 (5, 6); s0 -> r0 (7, 6).
// 3 ranks: s1 -> r0 (5, 0, 0); s2 -> r1 (5, 3, 0); s3 -> r2 (5, 3, 3); s0 -> r1, the lower of
// the two least loaded (5, 5, 3).
TEST(FittingShare, DealsWholeSeriesMostExamplesFirstToTheLeastLoadedRank) {
  DataSet data;
  for (int s = 0; s < 5; ++s) data.series.push_back(SeriesRecord{.token = "tok" + std::to_string(s)});
  const std::vector<std::uint32_t> series_of = {1, 0, 2, 1, 3, 1, 2, 0, 3, 1, 3, 2, 1, 4};  // [example]
  std::vector<std::uint32_t> train;
  for (std::uint32_t i = 0; i < series_of.size(); ++i) {
    data.examples.push_back({.series = series_of[i], .end_row = i});
    if (series_of[i] != 4) train.push_back(i);
  }
  // Examples of each series: s0 {1, 7}, s1 {0, 3, 5, 9, 12}, s2 {2, 6, 11}, s3 {4, 8, 10}.
  using Shares = std::vector<std::vector<std::uint32_t>>;
  const auto shares = [&](int world) {
    Shares out;
    for (int rank = 0; rank < world; ++rank) out.push_back(fitting_share(data, train, rank, world));
    return out;
  };
  EXPECT_EQ(shares(1), (Shares{train}));
  EXPECT_EQ(shares(2), (Shares{{0, 1, 3, 5, 7, 9, 12}, {2, 4, 6, 8, 10, 11}}));
  EXPECT_EQ(shares(3), (Shares{{0, 3, 5, 9, 12}, {1, 2, 6, 7, 11}, {4, 8, 10}}));
  EXPECT_EQ(shares(6)[4], std::vector<std::uint32_t>{}) << "more ranks than series: some fit on nothing";
}

TEST(FittingShare, RefusesAnExampleOutsideTheDataSetAndARankOutsideTheJob) {
  const Fixture f = random_data_set();
  std::vector<std::uint32_t> train = f.train;
  train.push_back(static_cast<std::uint32_t>(f.data.examples.size()));
  expect_data_error([&] { fitting_share(f.data, train, 0, 2); }, {"out of range", "HINT"}, 0);
  EXPECT_THROW(fitting_share(f.data, f.train, 2, 2), std::invalid_argument);
  EXPECT_THROW(fitting_share(f.data, f.train, -1, 2), std::invalid_argument);
  EXPECT_THROW(fitting_share(f.data, f.train, 0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace snipe::trainer
