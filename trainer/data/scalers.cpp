#include "trainer/data/scalers.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"

namespace snipe::trainer {
namespace {

using nlohmann::json;
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

// numpy.quantile(values, p) with the default 'linear' method: h = (n - 1) p, interpolating
// between the order statistics floor(h) and floor(h) + 1 the way numpy's _lerp does
// (b - (b - a)(1 - t) when t >= 0.5, for symmetry). Reorders `values`; REQUIRES no NaN.
double quantile(std::vector<double>& values, double p) {
  const double h = static_cast<double>(values.size() - 1) * p;
  const auto k = static_cast<std::size_t>(std::floor(h));
  const double t = h - static_cast<double>(k);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  const double a = values[k];
  const double b = k + 1 < values.size()
                       ? *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(k) + 1, values.end())
                       : a;
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// RobustScaler for one column: median and IQR; an IQR below 10 eps scales by 1 (sklearn's
// _handle_zeros_in_scale). Reorders `values`.
std::pair<double, double> robust_fit(std::vector<double>& values, std::string_view name) {
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    require_finite(std::numeric_limits<double>::quiet_NaN(), "candle", name, "median");
  }
  const double median = quantile(values, 0.5);
  const double iqr = quantile(values, 0.75) - quantile(values, 0.25);
  require_finite(median, "candle", name, "median");
  require_finite(iqr, "candle", name, "interquartile range");
  return {median, iqr < 10.0 * kEps ? 1.0 : iqr};
}

// StandardScaler for one column: mean and population sd (two passes). A variance within
// rounding of 0 (sklearn's _is_constant_feature: var <= n eps var + (n mean eps)^2) scales
// by 1, so a constant column whose mean is inexact still gets scale 1.
std::pair<double, double> standard_fit(const std::vector<double>& values, std::string_view group,
                                       std::string_view name) {
  const auto n = static_cast<double>(values.size());
  double sum = 0.0;
  for (const double v : values) sum += v;
  const double mean = sum / n;
  double squares = 0.0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  const double var = squares / n;
  require_finite(mean, group, name, "mean");
  require_finite(var, group, name, "variance");
  const bool constant = var <= n * kEps * var + (n * mean * kEps) * (n * mean * kEps);
  return {mean, constant ? 1.0 : std::sqrt(var)};
}

ColumnScaler named_scaler(Names names) {
  ColumnScaler scaler;
  scaler.names.assign(names.begin(), names.end());
  scaler.center.resize(names.size());
  scaler.scale.resize(names.size());
  return scaler;
}

ColumnScaler fit_candle(const DataSet& data, std::span<const RowRange> rows) {
  ColumnScaler scaler = named_scaler(kCandleFeatureNames);
  for (std::size_t f = 0; f < kCandleFeatureCount; ++f) {
    std::vector<double> column = gather(data, rows, &SeriesRecord::candle_features, kCandleFeatureCount, f);
    std::tie(scaler.center[f], scaler.scale[f]) = robust_fit(column, scaler.names[f]);
  }
  return scaler;
}

ColumnScaler fit_indicator(const DataSet& data, std::span<const RowRange> rows) {
  ColumnScaler scaler = named_scaler(kIndicatorFeatureNames);
  for (std::size_t f = 0; f < kIndicatorFeatureCount; ++f) {
    const std::vector<double> column =
        gather(data, rows, &SeriesRecord::indicator_features, kIndicatorFeatureCount, f);
    std::tie(scaler.center[f], scaler.scale[f]) = standard_fit(column, "indicator", scaler.names[f]);
  }
  return scaler;
}

// One row per train example, so a series counts as often as it has train examples.
ColumnScaler fit_context(const DataSet& data, const std::vector<std::uint32_t>& train) {
  std::vector<ContextFeatureRow> per_series;  // [series]
  per_series.reserve(data.series.size());
  for (const SeriesRecord& s : data.series) per_series.push_back(context_features(s.context));
  ColumnScaler scaler = named_scaler(kContextFeatureNames);
  std::vector<double> column(train.size());
  for (std::size_t f = 0; f < kContextFeatureCount; ++f) {
    for (std::size_t i = 0; i < train.size(); ++i) {
      column[i] = per_series[data.examples[train[i]].series][f];
    }
    std::tie(scaler.center[f], scaler.scale[f]) = standard_fit(column, "context", scaler.names[f]);
  }
  return scaler;
}

// ---- JSON -------------------------------------------------------------------------------

// The keys of one scaler's JSON object.
struct ScalerKeys {
  const char* name;    // top-level key, e.g. "candle_scaler"
  const char* center;  // "center_" (RobustScaler) or "mean_" (StandardScaler)
};
constexpr ScalerKeys kCandleKeys{"candle_scaler", "center_"};
constexpr ScalerKeys kIndicatorKeys{"indicator_scaler", "mean_"};
constexpr ScalerKeys kContextKeys{"context_scaler", "mean_"};

[[noreturn]] void bad_field(const std::string& field, std::string_view problem) {
  throw DataError(fmt::format("scalers JSON: field {} {}; HINT: use the scalers.json written "
                              "with the model by `snipe train`",
                              field, problem));
}

json column_to_json(const ColumnScaler& scaler, const ScalerKeys& keys) {
  return json{{keys.center, scaler.center}, {"scale_", scaler.scale}, {"feature_names", scaler.names}};
}

const json& member(const json& object, const std::string& path, const char* key) {
  if (!object.is_object() || !object.contains(key)) bad_field(path + key, "is missing");
  return object.at(key);
}

std::vector<double> numbers(const json& array, const std::string& field) {
  if (!array.is_array()) bad_field(field, "is not an array");
  std::vector<double> out;
  for (const json& v : array) {
    if (!v.is_number()) bad_field(fmt::format("{}[{}]", field, out.size()), "is not a number");
    out.push_back(v.get<double>());
  }
  return out;
}

std::vector<std::string> strings(const json& array, const std::string& field) {
  if (!array.is_array()) bad_field(field, "is not an array");
  std::vector<std::string> out;
  for (const json& v : array) {
    if (!v.is_string()) bad_field(fmt::format("{}[{}]", field, out.size()), "is not a string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

void check_values(const ColumnScaler& scaler, const std::string& prefix, const char* center_key) {
  for (std::size_t i = 0; i < scaler.center.size(); ++i) {
    if (!std::isfinite(scaler.center[i])) {
      bad_field(fmt::format("{}{}[{}]", prefix, center_key, i), "is not finite");
    }
    if (!(scaler.scale[i] > 0.0) || !std::isfinite(scaler.scale[i])) {
      bad_field(fmt::format("{}scale_[{}]", prefix, i),
                fmt::format("is {} (a scale must be finite and > 0)", scaler.scale[i]));
    }
  }
}

void check_names(const ColumnScaler& scaler, const std::string& prefix, Names expected) {
  if (!std::equal(scaler.names.begin(), scaler.names.end(), expected.begin(), expected.end())) {
    throw DataError(fmt::format(
        "scalers JSON: field {}feature_names is [{}] but this build's features are [{}]; HINT: "
        "the export was made by another snipe version; re-export the model with this build's "
        "`snipe train`, or load it with the version that made it",
        prefix, fmt::join(scaler.names, ", "), fmt::join(expected, ", ")));
  }
}

ColumnScaler column_from_json(const json& doc, const ScalerKeys& keys, Names expected) {
  const json& object = member(doc, "", keys.name);
  const std::string prefix = std::string(keys.name) + ".";
  ColumnScaler scaler;
  scaler.center = numbers(member(object, prefix, keys.center), prefix + keys.center);
  scaler.scale = numbers(member(object, prefix, "scale_"), prefix + "scale_");
  scaler.names = strings(member(object, prefix, "feature_names"), prefix + "feature_names");
  const std::size_t n = scaler.center.size();
  if (scaler.scale.size() != n) {
    bad_field(prefix + "scale_", fmt::format("has {} entries but {}{} has {}", scaler.scale.size(),
                                             prefix, keys.center, n));
  }
  if (scaler.names.size() != n) {
    bad_field(prefix + "feature_names", fmt::format("has {} entries but {}{} has {}",
                                                    scaler.names.size(), prefix, keys.center, n));
  }
  check_names(scaler, prefix, expected);
  check_values(scaler, prefix, keys.center);
  return scaler;
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

void ColumnScaler::apply(std::span<float> row) const {
  assert(row.size() == names.size());
  for (std::size_t i = 0; i < row.size(); ++i) {
    row[i] = static_cast<float>((static_cast<double>(row[i]) - center[i]) / scale[i]);
  }
}

Scalers fit_scalers(const DataSet& data, const std::vector<std::uint32_t>& train, std::size_t window) {
  if (window == 0) throw ConfigError("fit_scalers: window is 0; it must be at least 1 row");
  if (train.empty()) {
    throw DataError("fit_scalers: there are no train examples to fit on; HINT: use a larger data "
                    "set or a larger train fraction");
  }
  const std::vector<RowRange> rows = covered_rows(data, train, window);
  return {.candle = fit_candle(data, rows),
          .indicator = fit_indicator(data, rows),
          .context = fit_context(data, train)};
}

nlohmann::json scalers_to_json(const Scalers& scalers) {
  return json{{kCandleKeys.name, column_to_json(scalers.candle, kCandleKeys)},
              {kIndicatorKeys.name, column_to_json(scalers.indicator, kIndicatorKeys)},
              {kContextKeys.name, column_to_json(scalers.context, kContextKeys)}};
}

Scalers scalers_from_json(const nlohmann::json& doc) {
  return {.candle = column_from_json(doc, kCandleKeys, kCandleFeatureNames),
          .indicator = column_from_json(doc, kIndicatorKeys, kIndicatorFeatureNames),
          .context = column_from_json(doc, kContextKeys, kContextFeatureNames)};
}

LabelWeights balanced_class_weights(const DataSet& data, const std::vector<std::uint32_t>& train) {
  std::size_t profitable = 0;
  std::size_t rug = 0;
  for (const std::uint32_t index : train) {
    if (index >= data.examples.size()) {
      throw DataError(fmt::format("balanced_class_weights: train example {} is out of range ({} "
                                  "examples)", index, data.examples.size()));
    }
    profitable += data.examples[index].profitable ? 1 : 0;
    rug += data.examples[index].rug ? 1 : 0;
  }
  return {.profitable = balanced(profitable, train.size(), "profitable", data.labels),
          .rug = balanced(rug, train.size(), "rug", data.labels)};
}

}  // namespace snipe::trainer
