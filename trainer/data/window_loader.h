#pragma once
// Assembles training batches from in-memory series: for each example its window of T
// rows of scaled candle and indicator features, its scaled context, and its labels. A
// loader thread fills batches ahead of the trainer (prefetch); the order is a
// deterministic shuffle seeded by (seed, epoch), so a resumed run sees the same batches.
// Steady state allocates nothing: batches are recycled between the two threads.
// Thread-safety: one consumer thread calls start_epoch()/next().

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "trainer/data/data_set.h"
#include "trainer/data/scalers.h"

namespace snipe::trainer {

// Data-parallel sharding (the distributed sampler): every rank builds its loader over the
// same examples with the same seed, so all ranks agree on the epoch's order o[0..N). Rank r
// takes o[r], o[r + W], o[r + 2W], ...: batch k of every rank together is the global batch
// o[k B W, (k + 1) B W), so W ranks with batch B see the global batches one process with
// batch B W sees. N not a multiple of W: `pad_shards` repeats o[0], o[1], ... up to a
// multiple of W (every example is seen, a few twice), otherwise the last N mod W are
// dropped this epoch (the order differs each epoch). Either way every rank gets the same
// number of examples, so the ranks take the same number of steps.
struct LoaderOptions {
  std::size_t batch_size = 256;  // B, per rank
  std::size_t window = 100;      // T
  std::uint64_t seed = 42;       // with the epoch, fixes the order
  bool shuffle = true;           // false: examples in the given order (evaluation)
  bool drop_last = false;        // true: a short final batch is skipped
  std::size_t prefetch = 4;      // batches prepared ahead, >= 1
  std::size_t rank = 0;          // r: this rank's shard, < world
  std::size_t world = 1;         // W: ranks sharing the examples
  bool pad_shards = true;        // see above; no effect when W divides N
};

struct Batch {
  std::size_t size = 0;                 // B' <= B rows used
  std::vector<float> candles;           // [B, T, kCandleFeatureCount], scaled
  std::vector<float> indicators;        // [B, T, kIndicatorFeatureCount], scaled
  std::vector<float> context;           // [B, kContextFeatureCount], scaled
  std::vector<float> profitable;        // [B] 0/1
  std::vector<float> max_profit;        // [B]
  std::vector<float> rug;               // [B] 0/1
  std::vector<std::uint32_t> examples;  // [B] indices into DataSet::examples
};

// One series' feature rows with the scalers applied: what windows are copied from.
struct ScaledSeries {
  std::vector<float> candle;     // [rows, kCandleFeatureCount]
  std::vector<float> indicator;  // [rows, kIndicatorFeatureCount]
  std::vector<float> context;    // [kContextFeatureCount]
};
// Every series of a data set, scaled once ([series], DataSet order). The train, val and
// test loaders share one, so the scaled copy of the data exists once per rank. Read-only
// after construction: any number of threads may read it.
using ScaledSeriesSet = std::vector<ScaledSeries>;
std::shared_ptr<const ScaledSeriesSet> scale_series_set(const DataSet& data, const Scalers& scalers);

class WindowLoader {
 public:
  // `data` must outlive the loader; `scaled` is scale_series_set(data, ...). `examples`:
  // this rank's examples of one split.
  WindowLoader(const DataSet& data, std::shared_ptr<const ScaledSeriesSet> scaled,
               std::vector<std::uint32_t> examples, LoaderOptions options);
  // Convenience: scales the data set for this loader alone.
  WindowLoader(const DataSet& data, std::vector<std::uint32_t> examples, const Scalers& scalers,
               LoaderOptions options);
  ~WindowLoader();  // stops and joins the loader thread
  WindowLoader(const WindowLoader&) = delete;
  WindowLoader& operator=(const WindowLoader&) = delete;

  // Begins epoch `epoch`, skipping its first `skip_batches` (mid-epoch resume).
  void start_epoch(std::uint64_t epoch, std::size_t skip_batches = 0);
  // The next batch of the epoch into `out` (its buffers are swapped, not copied); false
  // at the end of the epoch.
  bool next(Batch& out);
  std::size_t batches_per_epoch() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The order of an epoch: a permutation of 0..n-1 from (seed, epoch) alone.
std::vector<std::uint32_t> epoch_order(std::size_t n, std::uint64_t seed, std::uint64_t epoch);

}  // namespace snipe::trainer
