#pragma once
// One rank's share of a data set: per-token series stored once (raw candles, model
// features, raw indicators, ground truth when simulated), static context, and an index
// of examples (series, end row) with their labels. Windows are assembled by the trainer
// from the series, never stored (DESIGN.md "Store series, not copies of windows").
//
// File layout (HDF5, schema kShardSchemaVersion), R = total rows, S = series, E = examples:
//   attrs   schema_version, rank, label options, feature-name lists
//   /series/token [S] string, /series/row_offset [S+1] u64, /series/context [S, 6] f64
//           (NaN = unknown), /series/rug_timestamp [S] i64, /series/liquidity_removed [S] u8
//   /rows/timestamp [R] i64, /rows/ohlcv [R, 5] f64, /rows/candle_features [R, 5] f32,
//   /rows/indicator_features [R, 19] f32, /rows/indicators [R, 22] f32,
//   /rows/regime [R] u8 (kUnknownRegime for real sources)
//   /examples/series [E] u32, /examples/end_row [E] u32 (row within its series),
//   /examples/profitable [E] u8, /examples/max_profit [E] f32, /examples/rug [E] u8

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/features/context.h"
#include "shared/features/labels.h"
#include "shared/market/candle.h"

namespace snipe {

inline constexpr std::int64_t kShardSchemaVersion = 1;
inline constexpr std::uint8_t kUnknownRegime = 255;

// One token's stored series. Feature rows are float32: the model's input precision.
struct SeriesRecord {
  std::string token;
  CandleSeries candles;                     // [rows]
  std::vector<float> candle_features;       // [rows, kCandleFeatureCount]
  std::vector<float> indicator_features;    // [rows, kIndicatorFeatureCount]
  std::vector<float> indicators;            // [rows, kIndicatorCount]
  std::vector<std::uint8_t> regime;         // [rows]; kUnknownRegime when not simulated
  TokenContext context;
  std::int64_t rug_timestamp = -1;          // ground truth, -1 when none or unknown
  bool liquidity_removed = false;
  friend bool operator==(const SeriesRecord&, const SeriesRecord&) = default;
};

struct Example {
  std::uint32_t series = 0;   // index into Shard::series
  std::uint32_t end_row = 0;  // last row of the window, within the series
  bool profitable = false;
  float max_profit = 0.0f;
  bool rug = false;
  friend bool operator==(const Example&, const Example&) = default;
};

struct Shard {
  int rank = 0;
  LabelOptions labels;             // the barriers the examples were labelled with
  std::vector<SeriesRecord> series;
  std::vector<Example> examples;   // ordered by (series, end_row)
};

// Builds a token's record and examples: features and labels computed from the candles
// with the one feature library. Examples are every row from kModelFeatureWarmup on whose
// label horizon fits in the series (stride 1).
SeriesRecord make_series_record(std::string token, CandleSeries candles, const TokenContext& context);
void append_examples(const SeriesRecord& record, std::uint32_t series_index,
                     const LabelOptions& options, std::vector<Example>& examples);

// Writes atomically (temp file, fsync, rename). Throws IoError/DataError.
void write_shard(const std::filesystem::path& path, const Shard& shard);
// Throws DataError with a hint when the schema version or feature names differ.
Shard read_shard(const std::filesystem::path& path);

// The token of every series, without reading the rest (incremental planning).
std::vector<std::string> read_shard_tokens(const std::filesystem::path& path);

// A 64-bit FNV-1a hash over the shard's content in canonical order, independent of the
// file's bytes: equal hashes mean equal shards (not cryptographic).
std::uint64_t content_hash(const Shard& shard);
// One hash per series ([series]) over its record and its examples' rows and labels. A data
// set's hash built from these, sorted by token, does not depend on how tokens were
// spread over shards (1 rank or 8 give the same data set hash).
std::vector<std::uint64_t> series_content_hashes(const Shard& shard);

}  // namespace snipe
