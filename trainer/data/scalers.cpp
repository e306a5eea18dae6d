#include "trainer/data/scalers.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/data/distributed_select.h"

namespace snipe::trainer {
namespace {

using Names = std::span<const std::string_view>;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// ---- rows covered by the train windows ----------------------------------------------

// Rows [begin, end) of one series.
struct RowRange {
  std::uint32_t series = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Rows a series holds by its feature tables; both tables must agree.
std::size_t feature_rows(const SeriesRecord& s) {
  const std::size_t rows = s.candle_features.size() / kCandleFeatureCount;
  if (s.candle_features.size() != rows * kCandleFeatureCount ||
      s.indicator_features.size() != rows * kIndicatorFeatureCount) {
    throw DataError(fmt::format(
        "fit_scalers: series {} has {} candle and {} indicator feature values, not [rows, {}] and "
        "[rows, {}]; HINT: the data set is damaged, re-run `snipe collect`",
        s.token, s.candle_features.size(), s.indicator_features.size(), kCandleFeatureCount,
        kIndicatorFeatureCount));
  }
  return rows;
}

// The window of one train example, [end_row - window + 1, end_row], clamped at row 0.
RowRange window_of(const DataSet& data, std::uint32_t index, std::size_t window) {
  if (index >= data.examples.size()) {
    throw DataError(fmt::format("fit_scalers: train example {} is out of range ({} examples)",
                                index, data.examples.size()));
  }
  const Example& ex = data.examples[index];
  if (ex.series >= data.series.size() || ex.end_row >= feature_rows(data.series[ex.series])) {
    throw DataError(fmt::format("fit_scalers: example {} (series {}, end row {}) lies outside the "
                                "data set; HINT: the example index is damaged, re-run `snipe collect`",
                                index, ex.series, ex.end_row));
  }
  const std::size_t end = std::size_t{ex.end_row} + 1;
  return {ex.series, end >= window ? end - window : 0, end};
}

// The union of the train windows: disjoint ranges ordered by (series, begin), so each row
// of each series appears once however much the windows overlap.
std::vector<RowRange> covered_rows(const DataSet& data, const std::vector<std::uint32_t>& train,
                                   std::size_t window) {
  std::vector<RowRange> windows;
  windows.reserve(train.size());
  for (const std::uint32_t index : train) windows.push_back(window_of(data, index, window));
  std::sort(windows.begin(), windows.end(), [](const RowRange& a, const RowRange& b) {
    return a.series != b.series ? a.series < b.series : a.begin < b.begin;
  });
  std::vector<RowRange> merged;
  for (const RowRange& w : windows) {
    if (!merged.empty() && merged.back().series == w.series && w.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, w.end);
    } else {
      merged.push_back(w);
    }
  }
  return merged;
}

// Column `column` of a [rows, width] float table, over the covered rows: [covered rows].
std::vector<double> gather(const DataSet& data, std::span<const RowRange> ranges,
                           std::vector<float> SeriesRecord::*table, std::size_t width,
                           std::size_t column) {
  std::vector<double> out;
  for (const RowRange& range : ranges) {
    const std::vector<float>& values = data.series[range.series].*table;
    for (std::size_t r = range.begin; r < range.end; ++r) out.push_back(values[r * width + column]);
  }
  return out;
}

// ---- refusing together ------------------------------------------------------------------

// Runs `local`, work on this rank's share alone that may throw DataError (a damaged
// example only its owner looks at), and makes a refusal collective: when `local` throws on
// any rank, every rank throws a DataError with the message of the lowest such rank, instead
// of one rank throwing while the others wait for it in their next collective. Collective.
void on_every_rank(Communicator& comm, const std::function<void()>& local) {
  std::string error;
  try {
    local();
  } catch (const DataError& e) {
    error = e.what();
  }
  const std::vector<std::int64_t> failed = allgather(comm, error.empty() ? 0 : 1);  // [rank]
  const auto first = std::find(failed.begin(), failed.end(), 1);
  if (first == failed.end()) return;
  const auto root = static_cast<int>(first - failed.begin());
  broadcast_string(comm, error, root);
  throw DataError(comm.size() == 1 ? error : fmt::format("{} (found by rank {} of {})", error, root, comm.size()));
}

// ---- the two fits -----------------------------------------------------------------------

void require_finite(double value, std::string_view group, std::string_view name,
                    std::string_view what) {
  if (!std::isfinite(value)) {
    throw DataError(fmt::format(
        "fit_scalers: {} feature {}: the fitted {} is {} (NaN or infinity in the train rows); "
        "HINT: train windows must start at row >= {} where every feature is defined; check the "
        "split's window and the data set",
        group, name, what, value, kModelFeatureWarmup));
  }
}

// NaN values in `column`, over all ranks (so every rank refuses alike).
std::uint64_t nan_count(const std::vector<double>& column, Communicator& comm) {
  const auto local =
      static_cast<std::size_t>(std::count_if(column.begin(), column.end(), [](double v) { return std::isnan(v); }));
  return global_count(local, comm);
}

// RobustScaler for one column: median and IQR over every rank's values (exact order
// statistics, distributed_select.h); an IQR below 10 eps scales by 1 (sklearn's
// _handle_zeros_in_scale). A NaN anywhere is refused; an infinity only where it reaches
// the median or the IQR (as numpy's quantiles would). Collective.
std::pair<double, double> robust_fit(const std::vector<double>& column, std::string_view name, Communicator& comm) {
  if (nan_count(column, comm) > 0) {
    require_finite(std::numeric_limits<double>::quiet_NaN(), "candle", name, "median");
  }
  const double median = distributed_quantile(column, 0.5, comm);
  const double iqr = distributed_quantile(column, 0.75, comm) - distributed_quantile(column, 0.25, comm);
  require_finite(median, "candle", name, "median");
  require_finite(iqr, "candle", name, "interquartile range");
  return {median, iqr < 10.0 * kEps ? 1.0 : iqr};
}

// Count, mean and sum of squared deviations of some values.
struct Moments {
  double n = 0;
  double mean = 0;
  double m2 = 0;
};

// Two passes over one rank's values.
Moments moments_of(const std::vector<double>& values) {
  if (values.empty()) return {};
  const auto n = static_cast<double>(values.size());
  double sum = 0.0;
  for (const double v : values) sum += v;
  const double mean = sum / n;
  double squares = 0.0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return {n, mean, squares};
}

// Chan, Golub and LeVeque's merge of two parts' moments; an empty part changes nothing,
// so one rank's moments come out as they went in.
Moments merge(const Moments& a, const Moments& b) {
  if (b.n == 0) return a;
  if (a.n == 0) return b;
  const double n = a.n + b.n;
  const double delta = b.mean - a.mean;
  return {n, a.mean + delta * b.n / n, a.m2 + b.m2 + delta * delta * a.n * b.n / n};
}

// Every column's moments merged over the ranks, in rank order (the same on every rank):
// one gather of [rank, column, {n, mean, m2}]. `local[c]` is this rank's column c.
std::vector<Moments> merged_moments(const std::vector<Moments>& local, Communicator& comm) {
  std::vector<double> mine;
  for (const Moments& m : local) mine.insert(mine.end(), {m.n, m.mean, m.m2});
  const std::vector<double> all = allgather(comm, std::span<const double>(mine));
  std::vector<Moments> merged(local.size());
  for (std::size_t at = 0; at < all.size(); at += 3) {
    Moments& column = merged[(at / 3) % local.size()];
    column = merge(column, {all[at], all[at + 1], all[at + 2]});
  }
  return merged;
}

// StandardScaler from a column's moments: mean and population sd. A variance within
// rounding of 0 (sklearn's _is_constant_feature: var <= n eps var + (n mean eps)^2) scales
// by 1, so a constant column whose mean is inexact still gets scale 1.
std::pair<double, double> standard_fit(const Moments& m, std::string_view group, std::string_view name) {
  const double var = m.m2 / m.n;
  require_finite(m.mean, group, name, "mean");
  require_finite(var, group, name, "variance");
  const bool constant = var <= m.n * kEps * var + (m.n * m.mean * kEps) * (m.n * m.mean * kEps);
  return {m.mean, constant ? 1.0 : std::sqrt(var)};
}

ColumnScaler named_scaler(Names names) {
  ColumnScaler scaler;
  scaler.names.assign(names.begin(), names.end());
  scaler.center.resize(names.size());
  scaler.scale.resize(names.size());
  return scaler;
}

ColumnScaler fit_candle(const DataSet& data, std::span<const RowRange> rows, Communicator& comm) {
  ColumnScaler scaler = named_scaler(kCandleFeatureNames);
  for (std::size_t f = 0; f < kCandleFeatureCount; ++f) {
    const std::vector<double> column = gather(data, rows, &SeriesRecord::candle_features, kCandleFeatureCount, f);
    std::tie(scaler.center[f], scaler.scale[f]) = robust_fit(column, scaler.names[f], comm);
  }
  return scaler;
}

// A StandardScaler of `names` from each rank's columns (`column_of(f)`), merged.
template <class ColumnOf>
ColumnScaler fit_standard(Names names, std::string_view group, const ColumnOf& column_of, Communicator& comm) {
  ColumnScaler scaler = named_scaler(names);
  std::vector<Moments> local;
  for (std::size_t f = 0; f < names.size(); ++f) local.push_back(moments_of(column_of(f)));
  const std::vector<Moments> merged = merged_moments(local, comm);
  for (std::size_t f = 0; f < names.size(); ++f) {
    std::tie(scaler.center[f], scaler.scale[f]) = standard_fit(merged[f], group, scaler.names[f]);
  }
  return scaler;
}

ColumnScaler fit_indicator(const DataSet& data, std::span<const RowRange> rows, Communicator& comm) {
  return fit_standard(
      kIndicatorFeatureNames, "indicator",
      [&](std::size_t f) { return gather(data, rows, &SeriesRecord::indicator_features, kIndicatorFeatureCount, f); },
      comm);
}

// One row per train example, so a series counts as often as it has train examples.
ColumnScaler fit_context(const DataSet& data, const std::vector<std::uint32_t>& share, Communicator& comm) {
  std::vector<ContextFeatureRow> per_series;  // [series]
  per_series.reserve(data.series.size());
  for (const SeriesRecord& s : data.series) per_series.push_back(context_features(s.context));
  const auto column_of = [&](std::size_t f) {
    std::vector<double> column(share.size());
    for (std::size_t i = 0; i < share.size(); ++i) column[i] = per_series[data.examples[share[i]].series][f];
    return column;
  };
  return fit_standard(kContextFeatureNames, "context", column_of, comm);
}

// ---- class weights ----------------------------------------------------------------------

ClassWeights balanced(std::size_t positives, std::size_t n, const char* label, const LabelOptions& o) {
  for (const bool cls : {false, true}) {
    if ((cls ? positives : n - positives) == 0) {
      throw DataError(fmt::format(
          "balanced_class_weights: no train example has {} = {} ({} train examples), so its "
          "class weight would be infinite; HINT: collect a larger data set or label with other "
          "barriers (now horizon {}, take_profit {}, stop_loss {}, rug_drop {})",
          label, cls ? 1 : 0, n, o.horizon, o.take_profit, o.stop_loss, o.rug_drop));
    }
  }
  const auto total = static_cast<double>(n);
  return {.negative = total / (2.0 * static_cast<double>(n - positives)),
          .positive = total / (2.0 * static_cast<double>(positives))};
}

}  // namespace

std::vector<std::uint32_t> fitting_share(const DataSet& data, const std::vector<std::uint32_t>& train, int rank,
                                         int world) {
  if (world < 1 || rank < 0 || rank >= world) {
    throw std::invalid_argument(fmt::format("fitting_share: rank {} of {} ranks", rank, world));
  }
  if (world == 1) return train;
  std::vector<std::size_t> per_series(data.series.size(), 0);  // [series] train examples
  for (const std::uint32_t i : train) {
    if (i >= data.examples.size() || data.examples[i].series >= data.series.size()) {
      throw DataError(fmt::format("fitting_share: train example {} is out of range ({} examples, {} series); "
                                  "HINT: the split does not belong to this data set, or the data set is damaged; "
                                  "re-run `snipe collect`",
                                  i, data.examples.size(), data.series.size()));
    }
    ++per_series[data.examples[i].series];
  }
  std::vector<std::uint32_t> order(per_series.size());  // series, most examples first, ties by index
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return per_series[a] > per_series[b];
  });
  // Greedy: each series to the least loaded rank (the lowest of equals), so the loads end
  // within the largest series' count of each other.
  std::vector<std::size_t> load(static_cast<std::size_t>(world), 0);  // [rank] train examples
  std::vector<int> owner(per_series.size(), 0);                      // [series]
  for (const std::uint32_t s : order) {
    const auto least = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[s] = static_cast<int>(least);
    load[least] += per_series[s];
  }
  std::vector<std::uint32_t> share;  // a subsequence of train
  for (const std::uint32_t i : train) {
    if (owner[data.examples[i].series] == rank) share.push_back(i);
  }
  return share;
}

Scalers fit_scalers(const DataSet& data, const std::vector<std::uint32_t>& share, std::size_t window,
                    Communicator& comm) {
  if (window == 0) throw ConfigError("fit_scalers: window is 0; it must be at least 1 row");
  if (global_count(share.size(), comm) == 0) {
    throw DataError("fit_scalers: there are no train examples to fit on; HINT: use a larger data "
                    "set or a larger train fraction");
  }
  std::vector<RowRange> rows;
  on_every_rank(comm, [&] { rows = covered_rows(data, share, window); });
  return {.candle = fit_candle(data, rows, comm),
          .indicator = fit_indicator(data, rows, comm),
          .context = fit_context(data, share, comm)};
}

Scalers fit_scalers(const DataSet& data, const std::vector<std::uint32_t>& train, std::size_t window) {
  const auto solo = make_solo_communicator();
  return fit_scalers(data, train, window, *solo);
}

LabelWeights balanced_class_weights(const DataSet& data, const std::vector<std::uint32_t>& share,
                                    Communicator& comm) {
  std::array<std::int64_t, 3> counts{static_cast<std::int64_t>(share.size()), 0, 0};  // {n, profitable, rug}
  on_every_rank(comm, [&] {
    for (const std::uint32_t index : share) {
      if (index >= data.examples.size()) {
        throw DataError(fmt::format("balanced_class_weights: train example {} is out of range ({} "
                                    "examples); HINT: the split does not belong to this data set",
                                    index, data.examples.size()));
      }
      counts[1] += data.examples[index].profitable ? 1 : 0;
      counts[2] += data.examples[index].rug ? 1 : 0;
    }
  });
  comm.allreduce(buffer_of(std::span(counts)), ReduceOp::kSum);
  const auto n = static_cast<std::size_t>(counts[0]);
  return {.profitable = balanced(static_cast<std::size_t>(counts[1]), n, "profitable", data.labels),
          .rug = balanced(static_cast<std::size_t>(counts[2]), n, "rug", data.labels)};
}

LabelWeights balanced_class_weights(const DataSet& data, const std::vector<std::uint32_t>& train) {
  const auto solo = make_solo_communicator();
  return balanced_class_weights(data, train, *solo);
}

}  // namespace snipe::trainer
