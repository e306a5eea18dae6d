#include "trainer/data/window_loader.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"

namespace snipe::trainer {
namespace {

// splitmix64: a small, well-mixed generator whose sequence is the same on every platform
// (std:: distributions are not), so an epoch's order is reproducible anywhere.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::vector<float> scaled_rows(const std::vector<float>& rows, std::size_t cols, const ColumnScaler& scaler) {
  std::vector<float> out = rows;
  for (std::size_t r = 0; r + cols <= out.size(); r += cols) scaler.apply(std::span(out.data() + r, cols));
  return out;
}

ScaledSeries scale_series(const SeriesRecord& series, const Scalers& scalers) {
  ScaledSeries out;
  out.candle = scaled_rows(series.candle_features, kCandleFeatureCount, scalers.candle);
  out.indicator = scaled_rows(series.indicator_features, kIndicatorFeatureCount, scalers.indicator);
  const ContextFeatureRow context = context_features(series.context);
  out.context.assign(context.begin(), context.end());
  scalers.context.apply(out.context);
  return out;
}

void size_batch(Batch& batch, const LoaderOptions& o) {
  batch.candles.resize(o.batch_size * o.window * kCandleFeatureCount);
  batch.indicators.resize(o.batch_size * o.window * kIndicatorFeatureCount);
  batch.context.resize(o.batch_size * kContextFeatureCount);
  batch.profitable.resize(o.batch_size);
  batch.max_profit.resize(o.batch_size);
  batch.rug.resize(o.batch_size);
  batch.examples.resize(o.batch_size);
}

}  // namespace

std::vector<std::uint32_t> epoch_order(std::size_t n, std::uint64_t seed, std::uint64_t epoch) {
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::uint64_t state = seed * 0x100000001b3ull ^ (epoch + 0x9e3779b97f4a7c15ull);
  for (std::size_t i = n; i > 1; --i) {  // Fisher-Yates
    const std::size_t j = static_cast<std::size_t>(splitmix64(state) % i);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

// Whether `scaled` has the shape of `data`'s series (windows are then in bounds).
bool matches(const ScaledSeriesSet& scaled, const DataSet& data) {
  if (scaled.size() != data.series.size()) return false;
  for (std::size_t i = 0; i < scaled.size(); ++i) {
    const SeriesRecord& s = data.series[i];
    if (scaled[i].candle.size() != s.candle_features.size() ||
        scaled[i].indicator.size() != s.indicator_features.size() || scaled[i].context.size() != kContextFeatureCount) {
      return false;
    }
  }
  return true;
}

std::shared_ptr<const ScaledSeriesSet> scale_series_set(const DataSet& data, const Scalers& scalers) {
  auto scaled = std::make_shared<ScaledSeriesSet>();
  scaled->reserve(data.series.size());
  for (const SeriesRecord& s : data.series) scaled->push_back(scale_series(s, scalers));
  return scaled;
}

struct WindowLoader::Impl {
  const DataSet& data;
  const std::shared_ptr<const ScaledSeriesSet> scaled;  // [series], shared between loaders
  const std::vector<std::uint32_t> examples;  // this rank's examples
  const LoaderOptions options;

  std::mutex mutex;
  std::condition_variable wake;               // producer and consumer both wait on it
  std::vector<std::uint32_t> order;           // positions into `examples`, this epoch
  std::size_t cursor = 0;                     // next position to fill
  std::size_t in_flight = 0;                  // batches being filled outside the lock
  std::uint64_t generation = 0;               // bumped by start_epoch: stale fills are dropped
  std::deque<Batch> ready;                    // filled, in order
  std::vector<Batch> free;                    // recycled buffers
  bool stopping = false;
  std::vector<std::uint32_t> positions;       // the batch being filled; producer thread only
  std::thread producer;

  Impl(const DataSet& d, std::shared_ptr<const ScaledSeriesSet> s, std::vector<std::uint32_t> e, LoaderOptions o)
      : data(d), scaled(std::move(s)), examples(std::move(e)), options(o) {
    if (options.batch_size == 0 || options.window == 0 || options.prefetch == 0) {
      throw ConfigError("window loader: batch_size, window and prefetch must be >= 1");
    }
    if (options.world == 0 || options.rank >= options.world) {
      throw ConfigError(fmt::format("window loader: rank {} of {} ranks", options.rank, options.world));
    }
    if (scaled == nullptr || !matches(*scaled, data)) {
      throw ConfigError("window loader: the scaled series are not those of this data set (use scale_series_set)");
    }
    for (const std::uint32_t i : examples) {
      const Example& ex = data.examples.at(i);
      if (ex.end_row + 1 < options.window) {
        throw DataError(fmt::format("example {} ends at row {}: a window of {} rows does not fit; "
                                    "split the data with the same window length",
                                    i, ex.end_row, options.window));
      }
    }
    producer = std::thread([this] { produce(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    producer.join();
  }

  // Positions of an epoch over `n` examples that make batches (drop_last trims the tail).
  std::size_t epoch_end(std::size_t n) const {
    return options.drop_last ? n - n % options.batch_size : n;
  }
  // The current epoch's end; 0 before the first start_epoch(), so nothing is produced.
  std::size_t epoch_end() const { return epoch_end(order.size()); }

  void fill_row(Batch& batch, std::size_t b, std::uint32_t example_index) const {
    const Example& ex = data.examples[example_index];
    const ScaledSeries& s = (*scaled)[ex.series];
    const std::size_t first = ex.end_row + 1 - options.window;
    const std::size_t t = options.window;
    std::memcpy(&batch.candles[b * t * kCandleFeatureCount], &s.candle[first * kCandleFeatureCount],
                t * kCandleFeatureCount * sizeof(float));
    std::memcpy(&batch.indicators[b * t * kIndicatorFeatureCount],
                &s.indicator[first * kIndicatorFeatureCount], t * kIndicatorFeatureCount * sizeof(float));
    std::memcpy(&batch.context[b * kContextFeatureCount], s.context.data(), kContextFeatureCount * sizeof(float));
    batch.profitable[b] = ex.profitable ? 1.0f : 0.0f;
    batch.max_profit[b] = ex.max_profit;
    batch.rug[b] = ex.rug ? 1.0f : 0.0f;
    batch.examples[b] = example_index;
  }

  void produce() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [&] {
        return stopping || (cursor < epoch_end() && ready.size() + in_flight < options.prefetch);
      });
      if (stopping) return;
      const std::uint64_t my_generation = generation;
      const std::size_t begin = cursor;
      const std::size_t end = std::min(begin + options.batch_size, epoch_end());
      cursor = end;
      ++in_flight;
      Batch batch;
      if (!free.empty()) {
        batch = std::move(free.back());
        free.pop_back();
      }
      // Copied under the lock (start_epoch may replace `order`); assign() reuses capacity.
      positions.assign(order.begin() + static_cast<std::ptrdiff_t>(begin),
                       order.begin() + static_cast<std::ptrdiff_t>(end));
      lock.unlock();
      size_batch(batch, options);  // no-op once the buffers have their size
      batch.size = positions.size();
      for (std::size_t b = 0; b < positions.size(); ++b) fill_row(batch, b, examples[positions[b]]);
      lock.lock();
      --in_flight;
      if (generation == my_generation) {
        ready.push_back(std::move(batch));
      } else {
        free.push_back(std::move(batch));
      }
      wake.notify_all();
    }
  }
};

WindowLoader::WindowLoader(const DataSet& data, std::shared_ptr<const ScaledSeriesSet> scaled,
                           std::vector<std::uint32_t> examples, LoaderOptions options)
    : impl_(std::make_unique<Impl>(data, std::move(scaled), std::move(examples), options)) {}

WindowLoader::WindowLoader(const DataSet& data, std::vector<std::uint32_t> examples, const Scalers& scalers,
                           LoaderOptions options)
    : WindowLoader(data, scale_series_set(data, scalers), std::move(examples), options) {}

WindowLoader::~WindowLoader() = default;

namespace {

// Examples per rank out of `n` (the sharding rule of LoaderOptions).
std::size_t shard_size(std::size_t n, const LoaderOptions& o) {
  return o.pad_shards ? (n + o.world - 1) / o.world : n / o.world;
}

// This rank's positions of the epoch's order.
std::vector<std::uint32_t> shard_of(const std::vector<std::uint32_t>& order, const LoaderOptions& o) {
  if (o.world == 1) return order;
  const std::size_t n = order.size();
  std::vector<std::uint32_t> shard;
  shard.reserve(shard_size(n, o));
  for (std::size_t i = 0; i < shard_size(n, o) && n > 0; ++i) shard.push_back(order[(o.rank + i * o.world) % n]);
  return shard;
}

}  // namespace

void WindowLoader::start_epoch(std::uint64_t epoch, std::size_t skip_batches) {
  Impl& m = *impl_;
  std::vector<std::uint32_t> order(m.examples.size());
  if (m.options.shuffle) {
    order = epoch_order(m.examples.size(), m.options.seed, epoch);
  } else {
    std::iota(order.begin(), order.end(), 0u);
  }
  order = shard_of(order, m.options);
  {
    std::lock_guard lock(m.mutex);
    ++m.generation;
    m.order = std::move(order);
    m.cursor = std::min(skip_batches * m.options.batch_size, m.epoch_end());  // of the new order
    for (Batch& stale : m.ready) m.free.push_back(std::move(stale));
    m.ready.clear();
  }
  m.wake.notify_all();
}

bool WindowLoader::next(Batch& out) {
  Impl& m = *impl_;
  std::unique_lock lock(m.mutex);
  m.wake.wait(lock, [&] {
    return !m.ready.empty() || (m.cursor >= m.epoch_end() && m.in_flight == 0);
  });
  if (m.ready.empty()) return false;
  Batch taken = std::move(m.ready.front());
  m.ready.pop_front();
  std::swap(out, taken);  // `taken` now holds the consumer's previous buffers
  if (!taken.candles.empty()) m.free.push_back(std::move(taken));
  m.wake.notify_all();
  return true;
}

std::size_t WindowLoader::batches_per_epoch() const {
  const std::size_t end = impl_->epoch_end(shard_size(impl_->examples.size(), impl_->options));
  return (end + impl_->options.batch_size - 1) / impl_->options.batch_size;
}

}  // namespace snipe::trainer
