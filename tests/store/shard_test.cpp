#include "shared/store/shard.h"

#include <hdf5.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "shared/core/errors.h"
#include "shared/features/model_features.h"
#include "tests/support/series.h"
#include "tests/support/temp_dir.h"

namespace snipe {
namespace {

namespace fs = std::filesystem;

Shard small_shard() {
  Shard shard{.rank = 3, .labels = {.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5}};
  for (std::uint32_t s = 0; s < 3; ++s) {
    TokenContext context;
    context[ContextField::kTop10HolderShare] = 0.25 * (s + 1);
    if (s != 1) context[ContextField::kLpBurned] = 1.0;  // token 1: unknown, must stay unknown
    SeriesRecord record =
        make_series_record("tok-" + std::to_string(s), testing::random_walk(120 + 40 * s, s + 1, 1e-6), context);
    record.regime.assign(record.candles.size(), static_cast<std::uint8_t>(s));
    record.rug_timestamp = s == 2 ? record.candles[100].timestamp : -1;
    record.liquidity_removed = s == 2;
    append_examples(record, s, shard.labels, shard.examples);
    shard.series.push_back(std::move(record));
  }
  return shard;
}

TEST(Shard, WriteThenReadGivesBackEveryField) {
  testing::TempDir dir;
  const Shard shard = small_shard();
  write_shard(dir / "shard-00003.h5", shard);
  const Shard back = read_shard(dir / "shard-00003.h5");
  EXPECT_EQ(back.rank, 3);
  EXPECT_EQ(back.labels.horizon, 12u);
  EXPECT_DOUBLE_EQ(back.labels.rug_drop, 0.5);
  ASSERT_EQ(back.series.size(), shard.series.size());
  for (std::size_t s = 0; s < shard.series.size(); ++s) {
    // NaN feature cells (warm-up) compare unequal, so compare bytes of the float arrays.
    const SeriesRecord& a = shard.series[s];
    const SeriesRecord& b = back.series[s];
    EXPECT_EQ(a.token, b.token);
    EXPECT_EQ(a.candles, b.candles);
    EXPECT_EQ(0, std::memcmp(a.candle_features.data(), b.candle_features.data(), a.candle_features.size() * 4));
    EXPECT_EQ(0, std::memcmp(a.indicators.data(), b.indicators.data(), a.indicators.size() * 4));
    EXPECT_EQ(0, std::memcmp(a.indicator_features.data(), b.indicator_features.data(),
                             a.indicator_features.size() * 4));
    EXPECT_EQ(a.regime, b.regime);
    EXPECT_EQ(a.context, b.context) << "unknown context must stay unknown";
    EXPECT_EQ(a.rug_timestamp, b.rug_timestamp);
    EXPECT_EQ(a.liquidity_removed, b.liquidity_removed);
  }
  EXPECT_EQ(back.examples, shard.examples);
  EXPECT_EQ(content_hash(back), content_hash(shard));
  EXPECT_FALSE(back.series[1].context[ContextField::kLpBurned].has_value());
}

TEST(Shard, ExamplesAreEveryRowFromWarmupWithAFullHorizon) {
  const Shard shard = small_shard();
  std::size_t expected = 0;
  for (const SeriesRecord& r : shard.series) {
    expected += r.candles.size() - kModelFeatureWarmup - shard.labels.horizon;  // stride 1
  }
  ASSERT_EQ(shard.examples.size(), expected);
  for (const Example& e : shard.examples) {
    const SeriesRecord& r = shard.series[e.series];
    ASSERT_GE(e.end_row, kModelFeatureWarmup);
    const auto label = label_at(r.candles, e.end_row, shard.labels);
    ASSERT_TRUE(label.has_value());
    EXPECT_EQ(e.profitable, label->profitable);
    EXPECT_EQ(e.rug, label->rug);
    EXPECT_FLOAT_EQ(e.max_profit, static_cast<float>(label->max_profit));
  }
}

TEST(Shard, StoredFeaturesAreTheFeatureLibraryOutputInFloat32) {
  const Shard shard = small_shard();
  const SeriesRecord& r = shard.series[0];
  const SeriesFeatures features = compute_features(r.candles);
  for (std::size_t t = kModelFeatureWarmup; t < r.candles.size(); ++t) {
    for (std::size_t f = 0; f < kIndicatorFeatureCount; ++f) {
      EXPECT_EQ(r.indicator_features[t * kIndicatorFeatureCount + f],
                static_cast<float>(features.indicator.at(t, f)));
    }
  }
}

TEST(Shard, ContentHashSeesAOneBitChange) {
  Shard shard = small_shard();
  const auto before = content_hash(shard);
  shard.series[1].candles[50].volume = std::nextafter(shard.series[1].candles[50].volume, 1e300);
  EXPECT_NE(content_hash(shard), before);
}

TEST(Shard, WrongSchemaVersionIsRefusedWithAHint) {
  testing::TempDir dir;
  const fs::path path = dir / "shard-00000.h5";
  write_shard(path, small_shard());
  {  // rewrite the version attribute, as a future snipe would
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    H5Adelete(file, "schema_version");
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attribute = H5Acreate2(file, "schema_version", H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT);
    const std::int64_t version = 99;
    H5Awrite(attribute, H5T_NATIVE_INT64, &version);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Fclose(file);
  }
  try {
    read_shard(path);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("schema version 99"), std::string::npos) << message;
    EXPECT_NE(message.find("HINT: re-run `snipe collect`"), std::string::npos) << message;
    EXPECT_NE(message.find("shard-00000.h5"), std::string::npos) << message;
  }
}

TEST(Shard, TruncatedFileIsADataErrorNamingIt) {
  testing::TempDir dir;
  const fs::path path = dir / "shard-00001.h5";
  write_shard(path, small_shard());
  fs::resize_file(path, fs::file_size(path) / 2);
  try {
    read_shard(path);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("shard-00001.h5"), std::string::npos) << e.what();
  }
}

TEST(Shard, RowDatasetsAreChunkedShuffledAndDeflated) {
  testing::TempDir dir;
  write_shard(dir / "s.h5", small_shard());
  const hid_t file = H5Fopen((dir / "s.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  for (const char* name : {"rows/ohlcv", "rows/indicator_features", "examples/end_row"}) {
    const hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
    const hid_t properties = H5Dget_create_plist(dataset);
    EXPECT_EQ(H5Pget_layout(properties), H5D_CHUNKED) << name;
    std::set<H5Z_filter_t> filters;
    for (int i = 0; i < H5Pget_nfilters(properties); ++i) {
      unsigned flags = 0;
      std::size_t count = 0;
      filters.insert(H5Pget_filter2(properties, static_cast<unsigned>(i), &flags, &count, nullptr, 0,
                                    nullptr, nullptr));
    }
    EXPECT_TRUE(filters.count(H5Z_FILTER_SHUFFLE) && filters.count(H5Z_FILTER_DEFLATE)) << name;
    H5Pclose(properties);
    H5Dclose(dataset);
  }
  H5Fclose(file);
}

TEST(Shard, AnEmptyShardRoundTrips) {
  testing::TempDir dir;
  write_shard(dir / "empty.h5", Shard{.rank = 1});
  const Shard back = read_shard(dir / "empty.h5");
  EXPECT_TRUE(back.series.empty());
  EXPECT_TRUE(back.examples.empty());
}

TEST(Shard, SameDataGivesTheSameFileBytes) {
  // No modification times in the file: a rerun that produces the same data produces the
  // same shard, byte for byte.
  testing::TempDir dir;
  write_shard(dir / "a.h5", small_shard());
  write_shard(dir / "b.h5", small_shard());
  std::ifstream a(dir / "a.h5", std::ios::binary), b(dir / "b.h5", std::ios::binary);
  const std::string bytes_a((std::istreambuf_iterator<char>(a)), {});
  const std::string bytes_b((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(bytes_a, bytes_b);
}

}  // namespace
}  // namespace snipe
