#include "shared/store/shard.h"

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/core/hash.h"
#include "shared/core/strings.h"
#include "shared/features/indicators.h"
#include "shared/features/model_features.h"
#include "shared/store/hdf5.h"

namespace snipe {
namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <std::size_t N>
void append_row(std::vector<float>& out, const std::array<double, N>& row) {
  for (const double v : row) out.push_back(static_cast<float>(v));
}

// Concatenated columns of every series, in series order.
struct Columns {
  std::vector<std::string> tokens;
  std::vector<std::uint64_t> row_offset{0};
  std::vector<double> context;
  std::vector<std::int64_t> rug_timestamp;
  std::vector<std::uint8_t> liquidity_removed;
  std::vector<std::int64_t> timestamp;
  std::vector<double> ohlcv;
  std::vector<float> candle_features, indicator_features, indicators;
  std::vector<std::uint8_t> regime;
};

Columns to_columns(const Shard& shard) {
  Columns c;
  for (const SeriesRecord& s : shard.series) {
    c.tokens.push_back(s.token);
    c.row_offset.push_back(c.row_offset.back() + s.candles.size());
    for (const auto& field : s.context.fields) c.context.push_back(field.value_or(kNaN));
    c.rug_timestamp.push_back(s.rug_timestamp);
    c.liquidity_removed.push_back(s.liquidity_removed);
    for (const Candle& k : s.candles) {
      c.timestamp.push_back(k.timestamp);
      c.ohlcv.insert(c.ohlcv.end(), {k.open, k.high, k.low, k.close, k.volume});
    }
    c.candle_features.insert(c.candle_features.end(), s.candle_features.begin(), s.candle_features.end());
    c.indicator_features.insert(c.indicator_features.end(), s.indicator_features.begin(),
                                s.indicator_features.end());
    c.indicators.insert(c.indicators.end(), s.indicators.begin(), s.indicators.end());
    c.regime.insert(c.regime.end(), s.regime.begin(), s.regime.end());
  }
  return c;
}

void write_attributes(const h5::File& file, const Shard& shard) {
  h5::set_attribute(file, "schema_version", kShardSchemaVersion);
  h5::set_attribute(file, "rank", static_cast<std::int64_t>(shard.rank));
  h5::set_attribute(file, "label_horizon", static_cast<std::int64_t>(shard.labels.horizon));
  h5::set_attribute(file, "label_take_profit", shard.labels.take_profit);
  h5::set_attribute(file, "label_stop_loss", shard.labels.stop_loss);
  h5::set_attribute(file, "label_rug_drop", shard.labels.rug_drop);
  h5::set_attribute(file, "candle_feature_names", to_strings(kCandleFeatureNames));
  h5::set_attribute(file, "indicator_feature_names", to_strings(kIndicatorFeatureNames));
  h5::set_attribute(file, "indicator_names", to_strings(kIndicatorNames));
  h5::set_attribute(file, "context_field_names", to_strings(kContextFieldNames));
}

void write_series_and_rows(const h5::File& file, const Shard& shard) {
  const Columns c = to_columns(shard);
  const hsize_t s = shard.series.size(), r = c.timestamp.size();
  h5::create_group(file, "series");
  h5::write_strings(file, "series/token", c.tokens);
  h5::write(file, "series/row_offset", c.row_offset, {s + 1});
  h5::write(file, "series/context", c.context, {s, kContextFieldCount});
  h5::write(file, "series/rug_timestamp", c.rug_timestamp, {s});
  h5::write(file, "series/liquidity_removed", c.liquidity_removed, {s});
  h5::create_group(file, "rows");
  h5::write(file, "rows/timestamp", c.timestamp, {r});
  h5::write(file, "rows/ohlcv", c.ohlcv, {r, 5});
  h5::write(file, "rows/candle_features", c.candle_features, {r, kCandleFeatureCount});
  h5::write(file, "rows/indicator_features", c.indicator_features, {r, kIndicatorFeatureCount});
  h5::write(file, "rows/indicators", c.indicators, {r, kIndicatorCount});
  h5::write(file, "rows/regime", c.regime, {r});
}

void write_examples(const h5::File& file, const std::vector<Example>& examples) {
  std::vector<std::uint32_t> series, end_row;
  std::vector<std::uint8_t> profitable, rug;
  std::vector<float> max_profit;
  for (const Example& e : examples) {
    series.push_back(e.series);
    end_row.push_back(e.end_row);
    profitable.push_back(e.profitable);
    max_profit.push_back(e.max_profit);
    rug.push_back(e.rug);
  }
  const hsize_t n = examples.size();
  h5::create_group(file, "examples");
  h5::write(file, "examples/series", series, {n});
  h5::write(file, "examples/end_row", end_row, {n});
  h5::write(file, "examples/profitable", profitable, {n});
  h5::write(file, "examples/max_profit", max_profit, {n});
  h5::write(file, "examples/rug", rug, {n});
}

void check_schema(const h5::File& file) {
  const std::int64_t version = h5::has_attribute(file, "schema_version")
                                   ? h5::int_attribute(file, "schema_version")
                                   : -1;
  if (version != kShardSchemaVersion) {
    throw DataError(fmt::format(
        "{}: shard schema version {} but this snipe reads version {}. HINT: re-run `snipe "
        "collect` with this build to rewrite the data set, or use the snipe version that wrote it",
        file.path(), version, kShardSchemaVersion));
  }
  const auto expect_names = [&](const char* attribute, std::span<const std::string_view> want) {
    if (h5::strings_attribute(file, attribute) != to_strings(want)) {
      throw DataError(fmt::format("{}: attribute {} lists other features than this build; "
                                  "HINT: re-run `snipe collect` to rewrite the data set",
                                  file.path(), attribute));
    }
  };
  expect_names("candle_feature_names", kCandleFeatureNames);
  expect_names("indicator_feature_names", kIndicatorFeatureNames);
  expect_names("indicator_names", kIndicatorNames);
  expect_names("context_field_names", kContextFieldNames);
}

template <class T>
std::vector<T> read_checked(const h5::File& file, const std::string& name, std::size_t elements) {
  auto data = h5::read<T>(file, name);
  if (data.size() != elements) {
    throw DataError(fmt::format("{}: dataset {} has {} elements, expected {}; the shard is "
                                "inconsistent: delete it and collect again",
                                file.path(), name, data.size(), elements));
  }
  return data;
}

std::vector<SeriesRecord> read_series(const h5::File& file) {
  const auto tokens = h5::read_strings(file, "series/token");
  const std::size_t s = tokens.size();
  const auto offset = read_checked<std::uint64_t>(file, "series/row_offset", s + 1);
  const std::size_t r = offset.back();
  const auto context = read_checked<double>(file, "series/context", s * kContextFieldCount);
  const auto rug = read_checked<std::int64_t>(file, "series/rug_timestamp", s);
  const auto removed = read_checked<std::uint8_t>(file, "series/liquidity_removed", s);
  const auto timestamp = read_checked<std::int64_t>(file, "rows/timestamp", r);
  const auto ohlcv = read_checked<double>(file, "rows/ohlcv", r * 5);
  const auto candle_f = read_checked<float>(file, "rows/candle_features", r * kCandleFeatureCount);
  const auto indicator_f = read_checked<float>(file, "rows/indicator_features", r * kIndicatorFeatureCount);
  const auto indicators = read_checked<float>(file, "rows/indicators", r * kIndicatorCount);
  const auto regime = read_checked<std::uint8_t>(file, "rows/regime", r);

  std::vector<SeriesRecord> series(s);
  for (std::size_t i = 0; i < s; ++i) {
    SeriesRecord& rec = series[i];
    rec.token = tokens[i];
    const std::size_t begin = offset[i], end = offset[i + 1];
    if (begin > end || end > r) throw DataError(fmt::format("{}: bad series/row_offset at {}", file.path(), i));
    for (std::size_t row = begin; row < end; ++row) {
      const double* v = &ohlcv[row * 5];
      rec.candles.push_back({timestamp[row], v[0], v[1], v[2], v[3], v[4]});
    }
    const auto slice = [&](const std::vector<float>& all, std::size_t cols) {
      return std::vector<float>(all.begin() + static_cast<std::ptrdiff_t>(begin * cols),
                                all.begin() + static_cast<std::ptrdiff_t>(end * cols));
    };
    rec.candle_features = slice(candle_f, kCandleFeatureCount);
    rec.indicator_features = slice(indicator_f, kIndicatorFeatureCount);
    rec.indicators = slice(indicators, kIndicatorCount);
    rec.regime.assign(regime.begin() + static_cast<std::ptrdiff_t>(begin),
                      regime.begin() + static_cast<std::ptrdiff_t>(end));
    for (std::size_t f = 0; f < kContextFieldCount; ++f) {
      const double v = context[i * kContextFieldCount + f];
      if (!std::isnan(v)) rec.context.fields[f] = v;
    }
    rec.rug_timestamp = rug[i];
    rec.liquidity_removed = removed[i] != 0;
  }
  return series;
}

std::vector<Example> read_examples(const h5::File& file, const std::vector<SeriesRecord>& series) {
  const auto index = h5::read<std::uint32_t>(file, "examples/series");
  const std::size_t n = index.size();
  const auto end_row = read_checked<std::uint32_t>(file, "examples/end_row", n);
  const auto profitable = read_checked<std::uint8_t>(file, "examples/profitable", n);
  const auto max_profit = read_checked<float>(file, "examples/max_profit", n);
  const auto rug = read_checked<std::uint8_t>(file, "examples/rug", n);
  std::vector<Example> examples(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (index[i] >= series.size() || end_row[i] >= series[index[i]].candles.size()) {
      throw DataError(fmt::format("{}: example {} points outside its series; delete the shard "
                                  "and collect again",
                                  file.path(), i));
    }
    examples[i] = {index[i], end_row[i], profitable[i] != 0, max_profit[i], rug[i] != 0};
  }
  return examples;
}

}  // namespace

SeriesRecord make_series_record(std::string token, CandleSeries candles, const TokenContext& context) {
  SeriesRecord record;
  record.token = std::move(token);
  record.context = context;
  const std::size_t rows = candles.size();
  record.candle_features.reserve(rows * kCandleFeatureCount);
  record.indicator_features.reserve(rows * kIndicatorFeatureCount);
  record.indicators.reserve(rows * kIndicatorCount);
  FeatureStream stream;
  for (const Candle& c : candles) {
    const FeatureRow row = stream.push(c);
    append_row(record.candle_features, row.candle);
    append_row(record.indicator_features, row.indicator);
    append_row(record.indicators, row.indicators);
  }
  record.regime.assign(rows, kUnknownRegime);
  record.candles = std::move(candles);
  return record;
}

void append_examples(const SeriesRecord& record, std::uint32_t series_index,
                     const LabelOptions& options, std::vector<Example>& examples) {
  for (std::size_t t = kModelFeatureWarmup; t < record.candles.size(); ++t) {
    const auto label = label_at(record.candles, t, options);
    if (!label) break;  // every later row's horizon runs past the end too
    examples.push_back({series_index, static_cast<std::uint32_t>(t), label->profitable,
                        static_cast<float>(label->max_profit), label->rug});
  }
}

void write_shard(const fs::path& path, const Shard& shard) {
  fs::path temp = path;
  temp += fmt::format(".tmp-{}", ::getpid());
  try {
    {
      const h5::File file = h5::File::create(temp);
      write_attributes(file, shard);
      write_series_and_rows(file, shard);
      write_examples(file, shard.examples);
      file.flush();
    }  // closed here, before the fsync
    fsync_file(temp);
    fs::rename(temp, path);
    fsync_directory(path.parent_path());
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

Shard read_shard(const fs::path& path) {
  const h5::File file = h5::File::open_read_only(path);
  check_schema(file);
  Shard shard;
  shard.rank = static_cast<int>(h5::int_attribute(file, "rank"));
  shard.labels.horizon = static_cast<std::size_t>(h5::int_attribute(file, "label_horizon"));
  shard.labels.take_profit = h5::double_attribute(file, "label_take_profit");
  shard.labels.stop_loss = h5::double_attribute(file, "label_stop_loss");
  shard.labels.rug_drop = h5::double_attribute(file, "label_rug_drop");
  shard.series = read_series(file);
  shard.examples = read_examples(file, shard.series);
  return shard;
}

std::vector<std::string> read_shard_tokens(const fs::path& path) {
  const h5::File file = h5::File::open_read_only(path);
  check_schema(file);
  return h5::read_strings(file, "series/token");
}

namespace {

void hash_record(Fnv1a& h, const SeriesRecord& s) {
  h.value(s.token.size());
  h.bytes(s.token.data(), s.token.size());
  h.values(s.candles);
  h.values(s.candle_features);
  h.values(s.indicator_features);
  h.values(s.indicators);
  h.values(s.regime);
  for (const auto& field : s.context.fields) h.value(field.value_or(kNaN));
  h.value(s.rug_timestamp);
  h.value(s.liquidity_removed);
}

void hash_example(Fnv1a& h, const Example& e) {
  h.value(e.end_row);
  h.value(e.profitable);
  h.value(e.max_profit);
  h.value(e.rug);
}

}  // namespace

std::uint64_t content_hash(const Shard& shard) {
  Fnv1a h;
  h.value(shard.series.size());
  for (const SeriesRecord& s : shard.series) hash_record(h, s);
  h.value(shard.examples.size());
  for (const Example& e : shard.examples) {
    h.value(e.series);
    hash_example(h, e);
  }
  return h.digest();
}

std::vector<std::uint64_t> series_content_hashes(const Shard& shard) {
  std::vector<Fnv1a> hashes(shard.series.size());
  for (std::size_t s = 0; s < shard.series.size(); ++s) hash_record(hashes[s], shard.series[s]);
  for (const Example& e : shard.examples) hash_example(hashes[e.series], e);
  std::vector<std::uint64_t> digests;
  for (const Fnv1a& h : hashes) digests.push_back(h.digest());
  return digests;
}

}  // namespace snipe
