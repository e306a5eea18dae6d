// Loading a published data set, and the leakage-free split.
//
// Split definitions (time order, per token; H = labels.horizon, T = window, E = embargo):
//   usable      an example whose window [end_row - T + 1, end_row] lies in rows >= kModelFeatureWarmup
//               (end_row + 1 >= kModelFeatureWarmup + T). Nothing else takes part.
//   counts      u = the series' usable examples, ordered by end_row e_0 < e_1 < ... < e_{u-1};
//               n_train = round(u * train_fraction), n_trainval = round(u * (train_fraction +
//               val_fraction)), rounding half away from zero, capped at u.
//   boundaries  V = val_start_row = e_{n_train}, S = test_start_row = e_{n_trainval}: the end row
//               of the first example counted to val (test). Rows < V belong to train, rows in
//               [V, S) to val, rows >= S to test. No such example: the boundary is at infinity
//               (null in Split::boundaries) and that split, and any after it, is empty.
//   kept        train  e < V                and e + H < V   (label horizon ends before val's rows)
//               val    V <= e < S, e - T + 1 >= V + E and e + H < S
//               test   S <= e,     e - T + 1 >= S + E
//   guarantee   for a train/val/test example a of a token and a later-split example b of the same
//               token: a.end_row + H + E < b.end_row - T + 1, i.e. at least E + 1 rows lie between
//               the last row a's label looks at and the first row b's window reads.
// whole_tokens: the tokens with at least one usable example are ordered by a seeded hash of their
// name; the first round(k * train_fraction) go to train, up to round(k * (train_fraction +
// val_fraction)) to val, the rest to test, each with all its usable examples (no purge: no two
// splits share a token). The order depends only on (seed, name), not on the shard layout.

#include "trainer/data/data_set.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string_view>

#include <fmt/format.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/core/hash.h"
#include "shared/core/json_fields.h"
#include "shared/features/context.h"
#include "shared/features/indicators.h"
#include "shared/features/model_features.h"
#include "shared/store/data_set_manifest.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::string_view kManifestName = "manifest.json";

// ---- loading ------------------------------------------------------------------------------

// The manifest's feature lists must be this build's, in this order: the model reads
// columns by position. (Each shard's own attributes are checked again by read_shard.)
void check_feature_names(const FeatureLists& listed, const fs::path& path) {
  const FeatureLists ours = this_build_feature_lists();
  const auto expect = [&](const char* key, const std::vector<std::string>& found,
                          const std::vector<std::string>& names) {
    if (found == names) return;
    throw DataError(fmt::format("{}: features.{} differ from this build's; HINT: re-run `snipe "
                                "collect` with this build, or train with the snipe version that "
                                "collected it",
                                path.string(), key));
  };
  expect("candle_features", listed.candle_features, ours.candle_features);
  expect("indicator_features", listed.indicator_features, ours.indicator_features);
  expect("indicators", listed.indicators, ours.indicators);
  expect("context_fields", listed.context_fields, ours.context_fields);
}

// Fills data.manifest and data.manifest_hash from DATA_DIR/manifest.json; refuses a
// manifest of another schema, of shards of another schema or of other features.
void read_manifest(const fs::path& data_dir, DataSet& data) {
  const fs::path path = data_dir / kManifestName;
  if (!fs::exists(path)) {
    throw DataError(fmt::format("{}: no {} (no published data set there); run `snipe collect` "
                                "first, or point the trainer at the directory it wrote",
                                data_dir.string(), kManifestName));
  }
  const std::string bytes = read_file(path);
  data.manifest = data_set_manifest_from_json(parse_json(bytes, path.string(), "run `snipe collect` again"),
                                              path.string());
  if (data.manifest.shard_schema_version != kShardSchemaVersion) {
    throw DataError(fmt::format("{}: lists shards of schema version {} but this snipe reads version "
                                "{}. HINT: re-run `snipe collect` with this build",
                                path.string(), data.manifest.shard_schema_version, kShardSchemaVersion));
  }
  check_feature_names(data.manifest.features, path);
  data.manifest_hash = hex64(fnv1a(bytes));
}

bool same_labels(const LabelOptions& a, const LabelOptions& b) {
  return a.horizon == b.horizon && a.take_profit == b.take_profit && a.stop_loss == b.stop_loss &&
         a.rug_drop == b.rug_drop;
}

std::string describe(const LabelOptions& l) {
  return fmt::format("horizon {}, take_profit {}, stop_loss {}, rug_drop {}", l.horizon,
                     l.take_profit, l.stop_loss, l.rug_drop);
}

// Reads one listed shard and refuses it when its content is not what the manifest recorded.
Shard read_listed_shard(const fs::path& path, const ShardEntry& entry, const fs::path& manifest_path) {
  const std::string& expected = entry.content_hash;
  Shard shard = read_shard(path);
  if (hex64(content_hash(shard)) != expected) {
    throw DataError(fmt::format("{}: content hash {} does not match {} recorded in {} (the file "
                                "was changed or damaged); collect again",
                                path.string(), hex64(content_hash(shard)), expected,
                                manifest_path.string()));
  }
  return shard;
}

// Accumulates shards into a DataSet; remembers where each token came from.
class DataSetBuilder {
 public:
  DataSetBuilder(DataSet& data, std::optional<LabelOptions> manifest_labels)
      : data_(data), labels_(manifest_labels) {}

  void append(Shard shard, const fs::path& path) {
    check_labels(shard.labels, path);
    const std::size_t base = data_.series.size();
    if (base + shard.series.size() > std::numeric_limits<std::uint32_t>::max()) {
      throw DataError(fmt::format("{}: the data set would hold more than 2^32 series", path.string()));
    }
    for (SeriesRecord& record : shard.series) {
      const auto [previous, inserted] = token_file_.emplace(record.token, path);
      if (!inserted) {
        throw DataError(fmt::format("{}: token {} is also stored in {}; a token belongs to one "
                                    "shard only: collect again",
                                    path.string(), record.token, previous->second.string()));
      }
      data_.series.push_back(std::move(record));
    }
    for (Example example : shard.examples) {
      if (example.series >= shard.series.size()) {
        throw DataError(fmt::format("{}: an example refers to series {} of {}; collect again",
                                    path.string(), example.series, shard.series.size()));
      }
      example.series += static_cast<std::uint32_t>(base);
      data_.examples.push_back(example);
    }
  }

  // The shards' labels; the manifest's when there are no shards; defaults when neither.
  LabelOptions labels() const { return labels_.value_or(LabelOptions{}); }

 private:
  void check_labels(const LabelOptions& labels, const fs::path& path) {
    if (!labels_) labels_ = labels;
    if (!same_labels(*labels_, labels)) {
      throw DataError(fmt::format("{}: labelled with {} but the data set uses {}; every shard must "
                                  "share one label setting: collect again",
                                  path.string(), describe(labels), describe(*labels_)));
    }
  }

  DataSet& data_;
  std::optional<LabelOptions> labels_;      // set by the manifest or the first shard
  std::map<std::string, fs::path> token_file_;  // token -> the shard holding it
};

// ---- splitting ----------------------------------------------------------------------------

enum class Side { kNone, kTrain, kVal, kTest };

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();  // boundary at infinity

// Rows where val and test begin in one series; kNever when that split holds no example.
struct TimeBoundaries {
  std::uint64_t val_start = kNever;
  std::uint64_t test_start = kNever;
};

void check_fraction(double fraction, const char* name) {
  if (!(fraction >= 0.0 && fraction <= 1.0)) {  // NaN fails too
    throw ConfigError(fmt::format("split {} = {} must lie in [0, 1]", name, fraction));
  }
}

void validate(const SplitOptions& options) {
  check_fraction(options.train_fraction, "train_fraction");
  check_fraction(options.val_fraction, "val_fraction");
  if (options.train_fraction + options.val_fraction > 1.0 + 1e-12) {
    throw ConfigError(fmt::format("split train_fraction + val_fraction = {} exceeds 1 (test gets "
                                  "the rest): lower one of them",
                                  options.train_fraction + options.val_fraction));
  }
  if (options.window == 0) throw ConfigError("split window must be at least 1 row");
}

// The end rows of each series' usable examples, ascending: [series][k].
std::vector<std::vector<std::uint32_t>> usable_end_rows(const DataSet& data, std::size_t window) {
  std::vector<std::vector<std::uint32_t>> rows(data.series.size());
  for (std::size_t i = 0; i < data.examples.size(); ++i) {
    const Example& e = data.examples[i];
    if (e.series >= data.series.size()) {
      throw DataError(fmt::format("example {} refers to series {} but the data set holds {}", i,
                                  e.series, data.series.size()));
    }
    if (usable(e, window)) rows[e.series].push_back(e.end_row);
  }
  for (auto& r : rows) std::sort(r.begin(), r.end());
  return rows;
}

// round(n * fraction), half away from zero, capped at n.
std::size_t count_of(std::size_t n, double fraction) {
  return std::min(n, static_cast<std::size_t>(std::llround(static_cast<double>(n) * fraction)));
}

TimeBoundaries time_boundaries(const std::vector<std::uint32_t>& end_rows, const SplitOptions& o) {
  const std::size_t n_train = count_of(end_rows.size(), o.train_fraction);
  const std::size_t n_trainval = count_of(end_rows.size(), o.train_fraction + o.val_fraction);
  TimeBoundaries b;
  if (n_train < end_rows.size()) b.val_start = end_rows[n_train];
  if (n_trainval < end_rows.size()) b.test_start = end_rows[n_trainval];
  return b;
}

// The split an example at end row `e` goes to, or kNone when purged or embargoed.
Side time_side(std::uint64_t e, const TimeBoundaries& b, std::uint64_t horizon, const SplitOptions& o) {
  const std::uint64_t window_start = e + 1 - o.window;  // >= kModelFeatureWarmup: usable
  const std::uint64_t label_end = e + horizon;
  if (e < b.val_start) return label_end < b.val_start ? Side::kTrain : Side::kNone;
  if (e < b.test_start) {
    const bool clear = window_start >= b.val_start + o.embargo && label_end < b.test_start;
    return clear ? Side::kVal : Side::kNone;
  }
  return window_start >= b.test_start + o.embargo ? Side::kTest : Side::kNone;
}

json row_or_null(std::uint64_t row) { return row == kNever ? json(nullptr) : json(row); }

// splitmix64's finaliser over FNV-1a of (seed, token): a well-mixed, portable sort key.
std::uint64_t shuffle_key(std::uint64_t seed, const std::string& token) {
  Fnv1a h;
  h.value(seed);
  h.bytes(token.data(), token.size());
  std::uint64_t z = h.digest() + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The side of every series ([series]); kNone for series without usable examples.
std::vector<Side> token_sides(const DataSet& data, const std::vector<std::vector<std::uint32_t>>& rows,
                              const SplitOptions& o) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order;  // (key, series)
  for (std::uint32_t s = 0; s < data.series.size(); ++s) {
    if (!rows[s].empty()) order.emplace_back(shuffle_key(o.seed, data.series[s].token), s);
  }
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : data.series[a.second].token < data.series[b.second].token;
  });
  const std::size_t n_train = count_of(order.size(), o.train_fraction);
  const std::size_t n_trainval = count_of(order.size(), o.train_fraction + o.val_fraction);
  std::vector<Side> sides(data.series.size(), Side::kNone);
  for (std::size_t k = 0; k < order.size(); ++k) {
    sides[order[k].second] = k < n_train ? Side::kTrain : k < n_trainval ? Side::kVal : Side::kTest;
  }
  return sides;
}

json side_name(Side side) {
  switch (side) {
    case Side::kTrain: return "train";
    case Side::kVal: return "val";
    case Side::kTest: return "test";
    case Side::kNone: break;
  }
  return nullptr;
}

// Appends every example to the list of its side (ascending, as examples are visited in order).
template <class SideOf>
void distribute(const DataSet& data, const SplitOptions& o, SideOf side_of, Split& split) {
  for (std::uint32_t i = 0; i < data.examples.size(); ++i) {
    const Example& e = data.examples[i];
    if (!usable(e, o.window)) continue;
    switch (side_of(e)) {
      case Side::kTrain: split.train.push_back(i); break;
      case Side::kVal: split.val.push_back(i); break;
      case Side::kTest: split.test.push_back(i); break;
      case Side::kNone: break;
    }
  }
}

Split split_by_time(const DataSet& data, const SplitOptions& o) {
  const auto rows = usable_end_rows(data, o.window);
  Split split{.boundaries = json::array()};
  std::vector<TimeBoundaries> bounds;
  for (std::size_t s = 0; s < data.series.size(); ++s) {
    bounds.push_back(time_boundaries(rows[s], o));
    split.boundaries.push_back({{"token", data.series[s].token},
                                {"usable_examples", rows[s].size()},
                                {"val_start_row", row_or_null(bounds[s].val_start)},
                                {"test_start_row", row_or_null(bounds[s].test_start)}});
  }
  distribute(data, o, [&](const Example& e) {
    return time_side(e.end_row, bounds[e.series], data.labels.horizon, o);
  }, split);
  return split;
}

Split split_by_token(const DataSet& data, const SplitOptions& o) {
  const auto rows = usable_end_rows(data, o.window);
  const std::vector<Side> sides = token_sides(data, rows, o);
  Split split{.boundaries = json::array()};
  for (std::size_t s = 0; s < data.series.size(); ++s) {
    split.boundaries.push_back({{"token", data.series[s].token},
                                {"usable_examples", rows[s].size()},
                                {"side", side_name(sides[s])}});
  }
  distribute(data, o, [&](const Example& e) { return sides[e.series]; }, split);
  return split;
}

}  // namespace

bool usable(const Example& example, std::size_t window) {
  return std::size_t{example.end_row} + 1 >= kModelFeatureWarmup + window;
}

DataSet load_data_set(const fs::path& data_dir) {
  DataSet data;
  read_manifest(data_dir, data);
  const fs::path manifest_path = data_dir / kManifestName;
  DataSetBuilder builder(data, data.manifest.labels);
  for (const ShardEntry& entry : data.manifest.shards) {
    const fs::path path = data_dir / entry.file;
    builder.append(read_listed_shard(path, entry, manifest_path), path);
  }
  data.labels = builder.labels();
  return data;
}

Split split_examples(const DataSet& data, const SplitOptions& options) {
  validate(options);
  return options.whole_tokens ? split_by_token(data, options) : split_by_time(data, options);
}

}  // namespace snipe::trainer
