// load_data_set on data sets written by the real collector (one shard from run_collect, two
// shards written by hand from its output), and split_examples on collected and hand-built
// data sets: exact boundary rows, fractions, no leakage between splits, the usable-window
// rule, whole-token splits and degenerate inputs.

#include "trainer/data/data_set.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "collector/collect_job.h"
#include "collector/sources/synthetic_source.h"
#include "shared/core/atomic_file.h"
#include "shared/features/context.h"
#include "shared/features/indicators.h"
#include "shared/core/errors.h"
#include "shared/core/hash.h"
#include "shared/features/model_features.h"
#include "shared/comm/communicator.h"
#include "tests/support/temp_dir.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr LabelOptions kJobLabels{.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5};

// A small real data set: 10 simulated tokens of 160..260 bars, collected by a size-1 job.
void collect(const fs::path& out) {
  collector::SyntheticSource source({.seed = 11, .tokens = 10, .min_candles = 160, .max_candles = 260});
  collector::CollectJobOptions options{.out_dir = out,
                                       .validation = {.min_candles = 100},
                                       .labels = kJobLabels,
                                       .config_fingerprint = "data set test"};
  snipe::PosixEnv env;
  collector::run_collect(source, *make_solo_communicator(), options, env);
}

json read_json(const fs::path& path) { return json::parse(read_file(path)); }

fs::path first_shard_path(const fs::path& data_dir) {
  return data_dir / read_json(data_dir / "manifest.json")["shards"][0]["file"].get<std::string>();
}

// Writes `shards` as g000001/shard-0000k.h5 plus a manifest listing them, as the collector
// would publish them (the fields load_data_set reads; counts and hashes of the whole left
// at their defaults).
void publish(const fs::path& data_dir, const std::vector<Shard>& shards) {
  fs::create_directories(data_dir / "g000001");
  DataSetManifest manifest{.shard_schema_version = kShardSchemaVersion, .generation = 1,
                           .feature_version = kFeatureVersion};
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const std::string file = fmt::format("g000001/shard-{:05}.h5", k);
    write_shard(data_dir / file, shards[k]);
    manifest.shards.push_back({.file = file, .rank = static_cast<std::int64_t>(k),
                               .content_hash = hex64(content_hash(shards[k]))});
  }
  manifest.labels = shards.at(0).labels;
  manifest.features = this_build_feature_lists();
  write_file_atomically(data_dir / "manifest.json", to_json(manifest).dump(2));
}

// Splits one shard into two: series [0, first) and [first, S), examples re-indexed into
// their own shard (as two ranks would have written them).
std::vector<Shard> split_shard(const Shard& shard, std::uint32_t first) {
  std::vector<Shard> parts(2);
  for (int k = 0; k < 2; ++k) {
    parts[k].rank = k;
    parts[k].labels = shard.labels;
  }
  for (std::uint32_t s = 0; s < shard.series.size(); ++s) {
    parts[s < first ? 0 : 1].series.push_back(shard.series[s]);
  }
  for (Example e : shard.examples) {
    const int k = e.series < first ? 0 : 1;
    if (k == 1) e.series -= first;
    parts[k].examples.push_back(e);
  }
  return parts;
}

template <class E, class F>
void expect_throws_with(F&& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "expected an exception";
  } catch (const E& e) {
    for (const std::string& fragment : fragments) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
          << "message \"" << e.what() << "\" lacks \"" << fragment << "\"";
    }
  }
}

// Series hold NaN feature rows (warm-up), so SeriesRecord's operator== is false even for
// identical records; compare tokens, then every byte of every record through content_hash
// (which hashes the records field by field, bit for bit, with the examples).
void expect_same_content(const DataSet& data, const Shard& shard) {
  std::vector<std::string> loaded_tokens, shard_tokens;
  for (const SeriesRecord& s : data.series) loaded_tokens.push_back(s.token);
  for (const SeriesRecord& s : shard.series) shard_tokens.push_back(s.token);
  EXPECT_EQ(loaded_tokens, shard_tokens);
  EXPECT_EQ(data.examples, shard.examples);
  const Shard loaded{.series = data.series, .examples = data.examples};
  EXPECT_EQ(hex64(content_hash(loaded)), hex64(content_hash(shard)));
}

// ---- load_data_set -------------------------------------------------------------------------

TEST(DataSetLoad, HoldsExactlyWhatTheCollectedShardHolds) {
  testing::TempDir dir;
  collect(dir.path());
  const Shard shard = read_shard(first_shard_path(dir.path()));
  ASSERT_FALSE(shard.examples.empty());

  const DataSet data = load_data_set(dir.path());
  expect_same_content(data, shard);
  EXPECT_EQ(data.labels.horizon, kJobLabels.horizon);
  EXPECT_EQ(data.labels.take_profit, kJobLabels.take_profit);
  EXPECT_EQ(data.labels.stop_loss, kJobLabels.stop_loss);
  EXPECT_EQ(data.labels.rug_drop, kJobLabels.rug_drop);
  EXPECT_EQ(to_json(data.manifest), read_json(dir / "manifest.json"));
}

TEST(DataSetLoad, RebasesSeriesIndicesOfLaterShards) {
  testing::TempDir collected, two;
  collect(collected.path());
  const Shard whole = read_shard(first_shard_path(collected.path()));
  ASSERT_GE(whole.series.size(), 6u);
  const std::vector<Shard> parts = split_shard(whole, 4);
  ASSERT_FALSE(parts[1].examples.empty());
  ASSERT_EQ(parts[1].examples.front().series, 0u) << "the second file indexes its own series from 0";
  publish(two.path(), parts);

  // Concatenating the parts' series in manifest order gives `whole`'s series list back, and
  // re-basing the second part's examples by its 4 predecessors gives `whole`'s examples back.
  const DataSet data = load_data_set(two.path());
  expect_same_content(data, whole);
  EXPECT_EQ(data.examples[parts[0].examples.size()].series, 4u);
}

TEST(DataSetLoad, RefusesAShardChangedAfterPublishing) {
  testing::TempDir dir;
  collect(dir.path());
  const fs::path path = first_shard_path(dir.path());
  Shard shard = read_shard(path);
  shard.examples.at(0).profitable = !shard.examples.at(0).profitable;  // a flipped label
  write_shard(path, shard);
  expect_throws_with<DataError>([&] { load_data_set(dir.path()); },
                                {path.filename().string(), "changed or damaged", "collect again"});
}

TEST(DataSetLoad, RefusesAManifestListingOtherFeatures) {
  testing::TempDir dir;
  collect(dir.path());
  json manifest = read_json(dir / "manifest.json");
  manifest["features"]["candle_features"] = {"a", "b"};  // as another build would write
  write_file_atomically(dir / "manifest.json", manifest.dump());
  expect_throws_with<DataError>([&] { load_data_set(dir.path()); },
                                {"features.candle_features", "HINT"});
}

TEST(DataSetLoad, RefusesAManifestWithAMistypedFieldNamingIt) {
  testing::TempDir dir;
  collect(dir.path());
  json manifest = read_json(dir / "manifest.json");
  manifest["labels"]["horizon"] = "12";
  write_file_atomically(dir / "manifest.json", manifest.dump());
  expect_throws_with<DataError>([&] { load_data_set(dir.path()); },
                                {"manifest.json", "field /labels/horizon must be an integer, is \"12\"", "snipe collect"});
}

TEST(DataSetLoad, MissingManifestSaysToCollectFirst) {
  testing::TempDir dir;
  expect_throws_with<DataError>([&] { load_data_set(dir.path()); },
                                {dir.path().string(), "manifest.json", "snipe collect"});
}

TEST(DataSetLoad, RefusesShardsLabelledDifferently) {
  testing::TempDir collected, two;
  collect(collected.path());
  std::vector<Shard> parts = split_shard(read_shard(first_shard_path(collected.path())), 4);
  parts[1].labels.take_profit = 0.3;
  publish(two.path(), parts);
  expect_throws_with<DataError>([&] { load_data_set(two.path()); }, {"shard-00001.h5", "take_profit 0.3"});
}

TEST(DataSetLoad, RefusesATokenStoredInTwoShards) {
  testing::TempDir collected, two;
  collect(collected.path());
  std::vector<Shard> parts = split_shard(read_shard(first_shard_path(collected.path())), 4);
  parts[1].series[0].token = parts[0].series[0].token;
  publish(two.path(), parts);
  expect_throws_with<DataError>([&] { load_data_set(two.path()); }, {parts[0].series[0].token, "one shard"});
}

TEST(DataSetLoad, RefusesAnotherManifestSchemaVersion) {
  testing::TempDir dir;
  collect(dir.path());
  json manifest = read_json(dir / "manifest.json");
  manifest["schema_version"] = collector::kManifestSchemaVersion + 1;
  write_file_atomically(dir / "manifest.json", manifest.dump());
  expect_throws_with<DataError>([&] { load_data_set(dir.path()); }, {"schema version", "snipe collect"});
}

// ---- split_examples: helpers ---------------------------------------------------------------

// A hand-built data set: one series per (token, first end row, last end row), with an
// example at every end row in between (stride 1, as the collector writes them). Windows
// are cut from rows the split never reads, so series hold no candles.
struct HandSeries {
  std::string token;
  std::uint32_t first_end_row, last_end_row;  // last < first: no examples
};
DataSet hand_built(const std::vector<HandSeries>& spec, std::size_t horizon) {
  DataSet data;
  data.labels.horizon = horizon;
  for (const HandSeries& s : spec) {
    const auto index = static_cast<std::uint32_t>(data.series.size());
    data.series.push_back(SeriesRecord{.token = s.token});
    for (std::uint32_t row = s.first_end_row; row <= s.last_end_row && s.first_end_row <= s.last_end_row; ++row) {
      data.examples.push_back({.series = index, .end_row = row});
    }
  }
  return data;
}

std::vector<std::uint32_t> end_rows(const DataSet& data, const std::vector<std::uint32_t>& indices) {
  std::vector<std::uint32_t> rows;
  for (const std::uint32_t i : indices) rows.push_back(data.examples.at(i).end_row);
  return rows;
}

std::vector<std::uint32_t> range(std::uint32_t first, std::uint32_t last) {  // [first, last]
  std::vector<std::uint32_t> rows;
  for (std::uint32_t r = first; r <= last; ++r) rows.push_back(r);
  return rows;
}

// The lists are strictly ascending and no example is in two of them.
void expect_well_formed(const Split& split) {
  const auto strictly_ascending = [](const std::vector<std::uint32_t>& list) {
    return std::adjacent_find(list.begin(), list.end(), std::greater_equal<>()) == list.end();
  };
  EXPECT_TRUE(strictly_ascending(split.train));
  EXPECT_TRUE(strictly_ascending(split.val));
  EXPECT_TRUE(strictly_ascending(split.test));
  std::set<std::uint32_t> all(split.train.begin(), split.train.end());
  all.insert(split.val.begin(), split.val.end());
  all.insert(split.test.begin(), split.test.end());
  EXPECT_EQ(all.size(), split.train.size() + split.val.size() + split.test.size());
}

// ---- split_examples: time order ------------------------------------------------------------

TEST(DataSetSplit, KeepsExactlyTheExamplesClearOfEveryBoundary) {
  // T = 10, H = 5, E = 2, warm-up W = 49. Examples end at rows 49..157.
  // Usable: end_row + 1 >= 49 + 10, i.e. rows 58..157: u = 100.
  // n_train = round(100 * 0.6) = 60, n_trainval = round(100 * 0.8) = 80, so
  // V = 58 + 60 = 118 and S = 58 + 80 = 138.
  // train: e < 118 and e + 5 < 118                  -> 58..112
  // val:   118 <= e < 138, e - 9 >= 118 + 2, e + 5 < 138 -> 129..132
  // test:  e >= 138, e - 9 >= 138 + 2               -> 149..157
  const DataSet data = hand_built({{"tok", 49, 157}}, /*horizon=*/5);
  const Split split = split_examples(
      data, {.train_fraction = 0.6, .val_fraction = 0.2, .window = 10, .embargo = 2});
  EXPECT_EQ(end_rows(data, split.train), range(58, 112));
  EXPECT_EQ(end_rows(data, split.val), range(129, 132));
  EXPECT_EQ(end_rows(data, split.test), range(149, 157));
  ASSERT_EQ(split.boundaries.size(), 1u);
  EXPECT_EQ(split.boundaries[0]["token"], "tok");
  EXPECT_EQ(split.boundaries[0]["val_start_row"], 118);
  EXPECT_EQ(split.boundaries[0]["test_start_row"], 138);
  expect_well_formed(split);
}

TEST(DataSetSplit, FractionsAreCountsOfUsableExamplesRounded) {
  // With T = 1, H = 0 and E = 0 nothing is purged, so the lists hold exactly the counts.
  const SplitOptions options{.train_fraction = 0.7, .val_fraction = 0.15, .window = 1, .embargo = 0};
  // 100 usable (49..148): round(70) = 70 train, round(85) - 70 = 15 val, 15 test.
  // 7 usable (49..55) at 0.5 / 0.25: round(3.5) = 4 train, round(5.25) - 4 = 1 val, 2 test.
  // 0..48 are warm-up rows and never count.
  const DataSet a = hand_built({{"a", 0, 148}}, /*horizon=*/0);
  const Split sa = split_examples(a, options);
  EXPECT_EQ(end_rows(a, sa.train), range(49, 118));
  EXPECT_EQ(end_rows(a, sa.val), range(119, 133));
  EXPECT_EQ(end_rows(a, sa.test), range(134, 148));

  const DataSet b = hand_built({{"b", 49, 55}}, 0);
  const Split sb = split_examples(b, {.train_fraction = 0.5, .val_fraction = 0.25, .window = 1, .embargo = 0});
  EXPECT_EQ(end_rows(b, sb.train), range(49, 52));
  EXPECT_EQ(end_rows(b, sb.val), range(53, 53));
  EXPECT_EQ(end_rows(b, sb.test), range(54, 55));
}

TEST(DataSetSplit, BoundariesOfACollectedDataSetFollowTheFractions) {
  testing::TempDir dir;
  collect(dir.path());
  const DataSet data = load_data_set(dir.path());
  const SplitOptions options{.train_fraction = 0.6, .val_fraction = 0.25, .window = 20, .embargo = 3};
  const Split split = split_examples(data, options);
  ASSERT_EQ(split.boundaries.size(), data.series.size());
  for (std::size_t s = 0; s < data.series.size(); ++s) {
    const json& b = split.boundaries[s];
    EXPECT_EQ(b["token"], data.series[s].token);
    // Counted naively: usable examples of this series, and those before each boundary.
    double usable = 0, before_val = 0, before_test = 0;
    for (const Example& e : data.examples) {
      if (e.series != s || e.end_row + 1 < kModelFeatureWarmup + options.window) continue;
      ++usable;
      before_val += e.end_row < b["val_start_row"].get<double>();
      before_test += e.end_row < b["test_start_row"].get<double>();
    }
    ASSERT_GT(usable, 0);
    EXPECT_NEAR(before_val, usable * 0.6, 0.5) << data.series[s].token;
    EXPECT_NEAR(before_test, usable * 0.85, 0.5) << data.series[s].token;
  }
}

// For examples a and b of one token, a in an earlier split than b: the last row a's label
// looks at (a.end_row + H) and the first row b's window reads (b.end_row - T + 1) are more
// than E rows apart: a.end_row + H + E < b.end_row - T + 1 (see the definitions in
// data_set.cpp: a.end_row + H < boundary <= b.end_row - T + 1 - E).
void expect_separated(const DataSet& data, const std::vector<std::uint32_t>& earlier,
                      const std::vector<std::uint32_t>& later, const SplitOptions& o) {
  const std::int64_t h = static_cast<std::int64_t>(data.labels.horizon);
  const auto t = static_cast<std::int64_t>(o.window), embargo = static_cast<std::int64_t>(o.embargo);
  std::size_t pairs = 0;
  for (const std::uint32_t i : earlier) {
    for (const std::uint32_t j : later) {
      const Example& a = data.examples[i];
      const Example& b = data.examples[j];
      if (a.series != b.series) continue;
      ++pairs;
      ASSERT_LT(std::int64_t{a.end_row} + h + embargo, std::int64_t{b.end_row} - t + 1)
          << data.series[a.series].token << ": rows " << a.end_row << " and " << b.end_row;
    }
  }
  EXPECT_GT(pairs, 0u) << "the check must see pairs to mean anything";
}

TEST(DataSetSplit, NoExampleSharesRowsWithAnExampleOfAnotherSplit) {
  testing::TempDir dir;
  collect(dir.path());
  const DataSet data = load_data_set(dir.path());
  const SplitOptions wide{.train_fraction = 0.6, .val_fraction = 0.2, .window = 20, .embargo = 3};
  const SplitOptions narrow{.train_fraction = 0.5, .val_fraction = 0.3, .window = 8, .embargo = 0};
  for (const SplitOptions& o : {wide, narrow}) {
    const Split split = split_examples(data, o);
    ASSERT_FALSE(split.train.empty());
    ASSERT_FALSE(split.val.empty());
    ASSERT_FALSE(split.test.empty());
    expect_well_formed(split);
    expect_separated(data, split.train, split.val, o);
    expect_separated(data, split.train, split.test, o);
    expect_separated(data, split.val, split.test, o);
  }
}

TEST(DataSetSplit, NoWindowTouchesWarmUpRows) {
  testing::TempDir dir;
  collect(dir.path());
  const DataSet data = load_data_set(dir.path());
  for (const bool whole_tokens : {false, true}) {
    const SplitOptions o{.window = 30, .whole_tokens = whole_tokens};
    const Split split = split_examples(data, o);
    std::size_t kept = 0;
    for (const auto* list : {&split.train, &split.val, &split.test}) {
      for (const std::uint32_t i : *list) {
        EXPECT_GE(std::int64_t{data.examples[i].end_row} - 30 + 1, std::int64_t{kModelFeatureWarmup});
        ++kept;
      }
    }
    // Whole tokens purge nothing, so they keep every example whose window starts at row
    // 49 or later: end rows >= 78 (the collector stores end rows from 49 on).
    std::size_t naive = 0;
    for (const Example& e : data.examples) naive += e.end_row >= 78;
    if (whole_tokens) {
      EXPECT_EQ(kept, naive);
    }
    EXPECT_LT(naive, data.examples.size()) << "the data set must hold examples the rule excludes";
  }
}

// ---- split_examples: whole tokens ----------------------------------------------------------

std::map<std::string, std::string> sides_by_token(const DataSet& data, const Split& split) {
  std::map<std::string, std::string> sides;
  const auto mark = [&](const std::vector<std::uint32_t>& list, const std::string& side) {
    for (const std::uint32_t i : list) {
      const std::string& token = data.series[data.examples[i].series].token;
      const auto [it, inserted] = sides.emplace(token, side);
      EXPECT_EQ(it->second, side) << token << " is on two sides";
    }
  };
  mark(split.train, "train");
  mark(split.val, "val");
  mark(split.test, "test");
  return sides;
}

std::vector<HandSeries> twenty_tokens() {
  std::vector<HandSeries> spec;
  for (int k = 0; k < 20; ++k) spec.push_back({fmt::format("tok-{:02}", k), 49, 80});
  return spec;
}

TEST(DataSetSplit, WholeTokensPutEachTokenOnOneSide) {
  const DataSet data = hand_built(twenty_tokens(), /*horizon=*/5);
  const SplitOptions o{.window = 1, .embargo = 12, .whole_tokens = true, .seed = 42};
  const Split split = split_examples(data, o);
  expect_well_formed(split);
  const auto sides = sides_by_token(data, split);
  // 20 tokens at 0.70 / 0.15: round(14) = 14 train, round(17) - 14 = 3 val, 3 test; every
  // token keeps all 32 examples (rows 49..80, all usable at T = 1): no purge, no embargo.
  ASSERT_EQ(sides.size(), 20u);
  std::map<std::string, int> tokens_per_side;
  for (const auto& [token, side] : sides) ++tokens_per_side[side];
  EXPECT_EQ(tokens_per_side["train"], 14);
  EXPECT_EQ(tokens_per_side["val"], 3);
  EXPECT_EQ(tokens_per_side["test"], 3);
  EXPECT_EQ(split.train.size(), 14u * 32);
  EXPECT_EQ(split.val.size(), 3u * 32);
  EXPECT_EQ(split.test.size(), 3u * 32);
  for (const json& b : split.boundaries) EXPECT_EQ(b["side"], sides.at(b["token"].get<std::string>()));
}

TEST(DataSetSplit, WholeTokensDependOnTheSeedAndTheNamesOnly) {
  const DataSet data = hand_built(twenty_tokens(), 5);
  std::vector<HandSeries> reversed = twenty_tokens();
  std::reverse(reversed.begin(), reversed.end());
  const DataSet shuffled = hand_built(reversed, 5);
  SplitOptions o{.window = 1, .whole_tokens = true, .seed = 42};

  const auto first = sides_by_token(data, split_examples(data, o));
  EXPECT_EQ(sides_by_token(data, split_examples(data, o)), first) << "same seed, same split";
  EXPECT_EQ(sides_by_token(shuffled, split_examples(shuffled, o)), first)
      << "the series order (shard layout) must not matter";
  o.seed = 43;
  EXPECT_NE(sides_by_token(data, split_examples(data, o)), first) << "another seed, another split";
}

// ---- split_examples: degenerate inputs -----------------------------------------------------

TEST(DataSetSplit, EmptyAndTinySeriesSplitWithoutFailing) {
  EXPECT_TRUE(split_examples(DataSet{}, {}).train.empty());
  // T = 20: usable end rows are >= 68. H = 5.
  //   none:  no examples;  warm: 49..60, all in warm-up;  one: 68 only;  three: 68..70.
  // "one": u = 1, n_train = round(0.7) = 1, so no boundary and 68 is train.
  // "three": n_train = round(2.1) = 2, V = 70; train 68, 69 reach 70 (+5) and are purged;
  //          val 70's window starts at 51 < V and is dropped: nothing is kept.
  const DataSet data = hand_built({{"none", 1, 0}, {"warm", 49, 60}, {"one", 68, 68}, {"three", 68, 70}}, 5);
  const SplitOptions o{.window = 20, .embargo = 12};
  const Split split = split_examples(data, o);
  EXPECT_EQ(end_rows(data, split.train), std::vector<std::uint32_t>{68});
  EXPECT_EQ(data.series[data.examples[split.train.at(0)].series].token, "one");
  EXPECT_TRUE(split.val.empty());
  EXPECT_TRUE(split.test.empty());
  ASSERT_EQ(split.boundaries.size(), 4u);
  EXPECT_TRUE(split.boundaries[0]["val_start_row"].is_null());
  EXPECT_EQ(split.boundaries[3]["val_start_row"], 70);
  EXPECT_TRUE(split.boundaries[3]["test_start_row"].is_null());

  SplitOptions whole = o;
  whole.whole_tokens = true;
  const Split by_token = split_examples(data, whole);
  EXPECT_EQ(by_token.train.size() + by_token.val.size() + by_token.test.size(), 4u);  // 68, 68..70
  EXPECT_TRUE(by_token.boundaries[1]["side"].is_null()) << "a token without usable examples has no side";
}

TEST(DataSetSplit, RefusesInvalidOptions) {
  const DataSet data = hand_built({{"tok", 49, 100}}, 5);
  EXPECT_THROW(split_examples(data, {.train_fraction = -0.1}), ConfigError);
  EXPECT_THROW(split_examples(data, {.val_fraction = -0.01}), ConfigError);
  EXPECT_THROW(split_examples(data, {.train_fraction = 0.8, .val_fraction = 0.3}), ConfigError);
  EXPECT_THROW(split_examples(data, {.train_fraction = std::nan("")}), ConfigError);
  EXPECT_THROW(split_examples(data, {.window = 0}), ConfigError);
  EXPECT_NO_THROW(split_examples(data, {.train_fraction = 0.7, .val_fraction = 0.3}));
  EXPECT_NO_THROW(split_examples(data, {.train_fraction = 0.0, .val_fraction = 0.0}));
}

TEST(DataSetSplit, RefusesAnExampleOfAMissingSeries) {
  DataSet data = hand_built({{"tok", 49, 100}}, 5);
  data.examples.push_back({.series = 1, .end_row = 120});
  expect_throws_with<DataError>([&] { split_examples(data, {}); }, {"series 1"});
}

}  // namespace
}  // namespace snipe::trainer
