#pragma once
// The inference shim: what the bot loads to turn a token's raw candles into the model's
// predictions, with the exact features of training (DESIGN.md "One feature library").
//
//   candles since launch --validate--> FeatureStream (the collector's code) --last T rows-->
//   float32 --scalers.json--> model.pt (TorchScript, eval, no autograd) --> Prediction
//
// A Shim serves one model directory: either an export directory itself (model.pt,
// scalers.json, metadata.json) or a registry directory whose `current` entry names the
// version to serve (a symlink to a subdirectory, or a file holding its name, replaced
// atomically by the registry). A new version is loaded, checked and warmed up off the
// prediction path, then swapped in with one pointer exchange; predictions in flight finish
// on the version they started with, and a version that fails leaves the old one serving.
//
// Thread-safety: predict(), predict_batch(), status() and the accessors may be called from
// any number of threads at once; reload() may run beside them. LibTorch's intra-op thread
// count is per calling thread; the shim sets it on each predicting thread.
//
// Public API: this header stands alone (the standard library only; no LibTorch or other
// snipe header), so a bot developer needs nothing beyond include/snipe/. The C ABI,
// snipe_shim.h, is a thin layer over it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace snipe::shim {

// One OHLCV bar as the bot holds it (the C ABI's snipe_candle has the same layout).
struct Candle {
  std::int64_t timestamp = 0;  // bar open time, Unix seconds (UTC), not milliseconds
  double open = 0.0;           // prices in the quote currency (USD), > 0
  double high = 0.0;
  double low = 0.0;
  double close = 0.0;
  double volume = 0.0;  // traded value in the bar, in the quote currency, >= 0

  friend bool operator==(const Candle&, const Candle&) = default;
};
using CandleSpan = std::span<const Candle>;  // one token, oldest first

// Base of the shim's errors; what() is the whole, user-facing message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The caller's input was refused: too few candles, a NaN, unsorted timestamps, a missing
// or unknown context field. The message names the token, the row or field, and what to do.
class InputError : public Error {
 public:
  using Error::Error;
};
// A model directory or version cannot be served: missing files, another schema or feature
// version, feature names that differ from this build's, a model that fails its self-check.
class ModelError : public Error {
 public:
  using Error::Error;
};

struct ShimOptions {
  int intra_op_threads = 1;                          // LibTorch threads per prediction (1: latency)
  bool watch = true;                                 // poll `current` and hot-reload a new version
  std::chrono::milliseconds poll_interval{1000};     // how often the watcher looks at `current`
};

// Static token facts by name (initial_liquidity_usd, top10_holder_share,
// mint_authority_revoked, lp_burned, creator_previous_launches, age_hours). Every
// field must be present; std::nullopt marks a fact the bot does not know (the model then
// sees it as missing, as in training). A known value must be finite.
using ContextValues = std::vector<std::pair<std::string, std::optional<double>>>;

struct TokenInput {
  CandleSpan candles;     // since launch, oldest first; at least Shim::min_candles()
  ContextValues context;  // every context field by name
};

struct Prediction {
  double profitable_prob = 0.0;  // P(take-profit before stop-loss within the label horizon)
  double max_profit = 0.0;       // predicted max high in the horizon / entry - 1
  double rug_prob = 0.0;         // P(rug within the horizon)
  std::string model_version;     // the version that produced it
};

// One token of a batch: its prediction, or why it was refused (the others still run).
struct BatchItem {
  std::optional<Prediction> prediction;
  std::string error;  // set when prediction is empty
};

struct ShimStatus {
  std::string serving;         // the version answering predictions now
  std::string failed_version;  // the last version refused, or empty
  std::string last_error;      // why it was refused, or empty
  std::uint64_t loads = 0;     // versions swapped in, the first included
  std::uint64_t failures = 0;  // versions refused while another kept serving
};

class Shim {
 public:
  // Loads the version the directory names now. Throws ModelError naming the file and what
  // to do when it cannot be served.
  explicit Shim(const std::filesystem::path& model_dir, ShimOptions options = {});
  ~Shim();  // stops the watcher
  Shim(const Shim&) = delete;
  Shim& operator=(const Shim&) = delete;

  // The prediction for the window ending at the token's last candle. Throws InputError.
  Prediction predict(const TokenInput& token) const;
  // Every token in one model call (all on one version). Refused tokens get an error each.
  std::vector<BatchItem> predict_batch(std::span<const TokenInput> tokens) const;

  // Loads what `current` names now (even the version already serving), checks it and swaps
  // it in. Throws ModelError when it fails; the previous version keeps serving.
  void reload();

  ShimStatus status() const;
  std::string model_version() const;  // of the version serving now
  std::size_t window() const;         // T, of the version serving now
  std::size_t min_candles() const;    // T + indicator warm-up: the fewest candles predict accepts

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snipe::shim
