#include "trainer/data/window_loader.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"

namespace snipe::trainer {
namespace {

// Feature value of (series s, row r, column c): distinct everywhere, so a misplaced row
// or column shows.
float cell(std::size_t s, std::size_t r, std::size_t c) {
  return static_cast<float>(s * 100000 + r * 100 + c);
}

DataSet hand_made(std::size_t series_count, std::size_t rows) {
  DataSet data;
  for (std::size_t s = 0; s < series_count; ++s) {
    SeriesRecord record;
    record.token = "tok" + std::to_string(s);
    record.candles.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < kCandleFeatureCount; ++c) record.candle_features.push_back(cell(s, r, c));
      for (std::size_t c = 0; c < kIndicatorFeatureCount; ++c) record.indicator_features.push_back(cell(s, r, 50 + c));
    }
    record.context[ContextField::kTop10HolderShare] = 0.1 * static_cast<double>(s + 1);
    data.series.push_back(record);
    for (std::uint32_t end = 10; end < rows; end += 3) {
      data.examples.push_back({static_cast<std::uint32_t>(s), end, end % 2 == 0, 0.5f + static_cast<float>(end), end % 5 == 0});
    }
  }
  return data;
}

ColumnScaler identity(std::span<const std::string_view> names) {
  ColumnScaler scaler;
  for (const auto name : names) {
    scaler.names.emplace_back(name);
    scaler.center.push_back(0.0);
    scaler.scale.push_back(1.0);
  }
  return scaler;
}

Scalers identity_scalers() {
  return {identity(kCandleFeatureNames), identity(kIndicatorFeatureNames), identity(kContextFeatureNames)};
}

std::vector<std::uint32_t> all_examples(const DataSet& data) {
  std::vector<std::uint32_t> all(data.examples.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

// Every example index the loader yields in one epoch, in order.
std::vector<std::uint32_t> one_epoch(WindowLoader& loader, std::uint64_t epoch, std::size_t skip = 0) {
  loader.start_epoch(epoch, skip);
  std::vector<std::uint32_t> seen;
  Batch batch;
  while (loader.next(batch)) seen.insert(seen.end(), batch.examples.begin(), batch.examples.begin() + static_cast<std::ptrdiff_t>(batch.size));
  return seen;
}

TEST(WindowLoader, BatchesHoldEachExamplesWindowContextAndLabels) {
  const DataSet data = hand_made(2, 40);
  const Scalers scalers = identity_scalers();
  WindowLoader loader(data, all_examples(data), scalers, {.batch_size = 4, .window = 8, .shuffle = false});
  loader.start_epoch(0);
  Batch batch;
  ASSERT_TRUE(loader.next(batch));
  ASSERT_EQ(batch.size, 4u);
  for (std::size_t b = 0; b < batch.size; ++b) {
    const Example& ex = data.examples[batch.examples[b]];
    for (std::size_t t = 0; t < 8; ++t) {
      const std::size_t row = ex.end_row - 7 + t;  // the window ends at end_row
      EXPECT_EQ(batch.candles[(b * 8 + t) * kCandleFeatureCount + 2], cell(ex.series, row, 2));
      EXPECT_EQ(batch.indicators[(b * 8 + t) * kIndicatorFeatureCount + 18], cell(ex.series, row, 68));
    }
    const ContextFeatureRow context = context_features(data.series[ex.series].context);
    EXPECT_FLOAT_EQ(batch.context[b * kContextFeatureCount + 1], static_cast<float>(context[1]));
    EXPECT_EQ(batch.profitable[b], ex.profitable ? 1.0f : 0.0f);
    EXPECT_EQ(batch.max_profit[b], ex.max_profit);
    EXPECT_EQ(batch.rug[b], ex.rug ? 1.0f : 0.0f);
  }
}

TEST(WindowLoader, AppliesTheScalers) {
  const DataSet data = hand_made(1, 30);
  Scalers scalers = identity_scalers();
  scalers.candle.center[0] = 7.0;
  scalers.candle.scale[0] = 4.0;
  WindowLoader loader(data, {0}, scalers, {.batch_size = 1, .window = 5, .shuffle = false});
  loader.start_epoch(0);
  Batch batch;
  ASSERT_TRUE(loader.next(batch));
  const std::size_t first = data.examples[0].end_row - 4;
  EXPECT_FLOAT_EQ(batch.candles[0], (cell(0, first, 0) - 7.0f) / 4.0f);
  EXPECT_EQ(batch.candles[1], cell(0, first, 1)) << "other columns untouched";
}

TEST(WindowLoader, EveryExampleOncePerEpochInASeededOrder) {
  const DataSet data = hand_made(3, 60);
  const Scalers scalers = identity_scalers();
  WindowLoader loader(data, all_examples(data), scalers, {.batch_size = 5, .window = 6, .seed = 9});
  const auto epoch0 = one_epoch(loader, 0);
  std::vector<std::uint32_t> sorted = epoch0;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, all_examples(data));
  EXPECT_EQ(one_epoch(loader, 0), epoch0) << "same (seed, epoch), same order";
  EXPECT_NE(one_epoch(loader, 1), epoch0) << "another epoch, another order";
  WindowLoader other(data, all_examples(data), scalers, {.batch_size = 7, .window = 6, .seed = 9});
  EXPECT_EQ(one_epoch(other, 0), epoch0) << "the order does not depend on the batch size";
}

TEST(WindowLoader, SkippingBatchesResumesMidEpochExactly) {
  const DataSet data = hand_made(2, 60);
  const Scalers scalers = identity_scalers();
  WindowLoader loader(data, all_examples(data), scalers, {.batch_size = 4, .window = 6, .seed = 3});
  const auto full = one_epoch(loader, 2);
  const auto resumed = one_epoch(loader, 2, /*skip=*/3);
  EXPECT_EQ(resumed, std::vector<std::uint32_t>(full.begin() + 12, full.end()));
}

TEST(WindowLoader, DropLastSkipsTheShortBatch) {
  const DataSet data = hand_made(1, 40);  // 10 examples
  const Scalers scalers = identity_scalers();
  WindowLoader keep(data, all_examples(data), scalers, {.batch_size = 4, .window = 6});
  WindowLoader drop(data, all_examples(data), scalers, {.batch_size = 4, .window = 6, .drop_last = true});
  EXPECT_EQ(keep.batches_per_epoch(), 3u);
  EXPECT_EQ(drop.batches_per_epoch(), 2u);
  EXPECT_EQ(one_epoch(keep, 0).size(), 10u);
  EXPECT_EQ(one_epoch(drop, 0).size(), 8u);
}

TEST(WindowLoader, RestartingAnEpochMidwayDropsItsPrefetchedBatches) {
  const DataSet data = hand_made(2, 80);
  const Scalers scalers = identity_scalers();
  WindowLoader loader(data, all_examples(data), scalers, {.batch_size = 3, .window = 6, .prefetch = 4});
  loader.start_epoch(5);
  Batch batch;
  ASSERT_TRUE(loader.next(batch));  // epoch 5 is half consumed, more of it prefetched
  WindowLoader fresh(data, all_examples(data), scalers, {.batch_size = 3, .window = 6, .prefetch = 4});
  EXPECT_EQ(one_epoch(loader, 6), one_epoch(fresh, 6)) << "nothing of epoch 5 leaks into epoch 6";
}

TEST(WindowLoader, NothingIsServedBeforeTheFirstEpochStarts) {
  const DataSet data = hand_made(1, 40);
  const Scalers scalers = identity_scalers();
  WindowLoader loader(data, all_examples(data), scalers, {.batch_size = 4, .window = 6});
  Batch batch;
  EXPECT_FALSE(loader.next(batch));
  EXPECT_EQ(one_epoch(loader, 0).size(), 10u);
}

TEST(WindowLoader, LoadersSharingOneScaledSetGiveWhatSeparateLoadersGive) {
  const DataSet data = hand_made(3, 40);
  Scalers scalers = identity_scalers();
  scalers.indicator.center[4] = 2.0;
  scalers.indicator.scale[4] = 0.5;
  const auto shared = scale_series_set(data, scalers);
  const auto examples = all_examples(data);
  const std::vector<std::uint32_t> first(examples.begin(), examples.begin() + 20), rest(examples.begin() + 20, examples.end());
  const LoaderOptions options{.batch_size = 7, .window = 6, .shuffle = false};
  WindowLoader shared_a(data, shared, first, options), shared_b(data, shared, rest, options);
  WindowLoader alone_a(data, first, scalers, options), alone_b(data, rest, scalers, options);
  for (auto [with_shared, alone] : {std::pair{&shared_a, &alone_a}, std::pair{&shared_b, &alone_b}}) {
    with_shared->start_epoch(0);
    alone->start_epoch(0);
    Batch x, y;
    while (alone->next(y)) {
      ASSERT_TRUE(with_shared->next(x));
      EXPECT_EQ(x.size, y.size);
      EXPECT_EQ(x.candles, y.candles);
      EXPECT_EQ(x.indicators, y.indicators);
      EXPECT_EQ(x.context, y.context);
    }
    EXPECT_FALSE(with_shared->next(x));
  }
}

TEST(WindowLoader, AScaledSetOfAnotherDataSetIsRefused) {
  const DataSet data = hand_made(2, 40), other = hand_made(3, 40);
  EXPECT_THROW(WindowLoader(data, scale_series_set(other, identity_scalers()), all_examples(data), {.window = 6}),
               ConfigError);
}

// Three ranks over 10 examples: together they see every example, each the same number;
// padding repeats the epoch's first examples, dropping leaves out its last ones.
TEST(WindowLoader, ShardsGiveEveryRankTheSameCountAndTogetherTheWholeEpoch) {
  const DataSet data = hand_made(1, 40);  // 30 examples
  const Scalers scalers = identity_scalers();
  const std::vector<std::uint32_t> all = all_examples(data);
  const std::vector<std::uint32_t> examples(all.begin(), all.begin() + 10);
  for (const bool pad : {true, false}) {
    std::multiset<std::uint32_t> seen;
    for (std::size_t rank = 0; rank < 3; ++rank) {
      WindowLoader loader(data, examples, scalers,
                          {.batch_size = 2, .window = 6, .seed = 5, .rank = rank, .world = 3, .pad_shards = pad});
      const auto mine = one_epoch(loader, 1);
      EXPECT_EQ(mine.size(), pad ? 4u : 3u) << "ceil(10 / 3) or floor(10 / 3)";
      EXPECT_EQ(loader.batches_per_epoch(), 2u);
      seen.insert(mine.begin(), mine.end());
    }
    const std::vector<std::uint32_t> order = epoch_order(10, 5, 1);
    std::multiset<std::uint32_t> expected;
    for (std::size_t i = 0; i < (pad ? 12u : 9u); ++i) expected.insert(examples[order[i % 10]]);
    EXPECT_EQ(seen, expected) << (pad ? "pad" : "drop");
  }
}

// Batch k of two ranks with batch 3 together hold the examples of batch k of one process
// with batch 6: the ranks train on the global batches one process would.
TEST(WindowLoader, RanksTogetherSeeTheGlobalBatchesOfOneProcess) {
  const DataSet data = hand_made(2, 40);
  const Scalers scalers = identity_scalers();
  WindowLoader whole(data, all_examples(data), scalers, {.batch_size = 6, .window = 6, .seed = 9});
  WindowLoader rank0(data, all_examples(data), scalers, {.batch_size = 3, .window = 6, .seed = 9, .rank = 0, .world = 2});
  WindowLoader rank1(data, all_examples(data), scalers, {.batch_size = 3, .window = 6, .seed = 9, .rank = 1, .world = 2});
  EXPECT_EQ(rank0.batches_per_epoch(), whole.batches_per_epoch());
  for (WindowLoader* loader : {&whole, &rank0, &rank1}) loader->start_epoch(3);
  Batch a, b, c;
  while (whole.next(a)) {
    ASSERT_TRUE(rank0.next(b));
    ASSERT_TRUE(rank1.next(c));
    std::multiset<std::uint32_t> global(a.examples.begin(), a.examples.begin() + static_cast<std::ptrdiff_t>(a.size));
    std::multiset<std::uint32_t> shards(b.examples.begin(), b.examples.begin() + static_cast<std::ptrdiff_t>(b.size));
    shards.insert(c.examples.begin(), c.examples.begin() + static_cast<std::ptrdiff_t>(c.size));
    EXPECT_EQ(shards, global);
  }
}

TEST(WindowLoader, ARankOutsideTheWorldIsRefused) {
  const DataSet data = hand_made(1, 40);
  EXPECT_THROW(WindowLoader(data, all_examples(data), identity_scalers(), {.window = 6, .rank = 2, .world = 2}),
               ConfigError);
}

TEST(WindowLoader, ZeroPrefetchIsRefusedRatherThanHangingForever) {
  const DataSet data = hand_made(1, 40);
  const Scalers scalers = identity_scalers();
  EXPECT_THROW(WindowLoader(data, all_examples(data), scalers, {.window = 6, .prefetch = 0}), ConfigError);
}

TEST(WindowLoader, AWindowLongerThanTheSeriesHeadIsRefused) {
  const DataSet data = hand_made(1, 40);  // first example ends at row 10
  const Scalers scalers = identity_scalers();
  EXPECT_THROW(WindowLoader(data, all_examples(data), scalers, {.window = 20}), DataError);
}

TEST(EpochOrder, IsAPermutationFixedBySeedAndEpoch) {
  const auto a = epoch_order(1000, 42, 3);
  std::set<std::uint32_t> unique(a.begin(), a.end());
  EXPECT_EQ(unique.size(), 1000u);
  EXPECT_EQ(*unique.rbegin(), 999u);
  EXPECT_EQ(epoch_order(1000, 42, 3), a);
  EXPECT_NE(epoch_order(1000, 43, 3), a);
  EXPECT_TRUE(epoch_order(0, 1, 1).empty());
}

}  // namespace
}  // namespace snipe::trainer
