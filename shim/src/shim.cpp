// The Shim: the serving version behind one pointer, the watcher that hot-reloads it, and
// predictions that hold the version they started on.

#include "snipe/shim.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "shared/features/model_features.h"
#include "shared/features/tabular.h"
#include "shim/src/model_inputs.h"
#include "shim/src/model_version.h"
#include "shim/src/version_dir.h"

namespace snipe::shim {

namespace fs = std::filesystem;
using VersionPtr = std::shared_ptr<const ModelVersion>;

struct Shim::Impl {
  const fs::path model_dir;
  const ShimOptions options;

  mutable std::mutex serving_mutex;
  VersionPtr serving;  // GUARDED_BY(serving_mutex); never null after construction

  std::mutex load_mutex;  // one load at a time (the watcher or reload())
  mutable std::mutex status_mutex;
  ShimStatus status;     // GUARDED_BY(status_mutex)
  VersionRef last_seen;  // GUARDED_BY(load_mutex): the last version tried, loaded or refused

  std::mutex stop_mutex;
  std::condition_variable stop_signal;
  bool stopping = false;  // GUARDED_BY(stop_mutex)
  std::thread watcher;

  Impl(fs::path dir, ShimOptions o) : model_dir(std::move(dir)), options(o) {
    if (options.intra_op_threads < 1) throw ModelError("intra_op_threads must be >= 1");
    const std::lock_guard lock(load_mutex);
    load_and_swap(resolve_version(model_dir));
    if (options.watch) watcher = std::thread([this] { watch(); });
  }

  ~Impl() {
    {
      const std::lock_guard lock(stop_mutex);
      stopping = true;
    }
    stop_signal.notify_all();
    if (watcher.joinable()) watcher.join();
  }

  VersionPtr current() const {
    const std::lock_guard lock(serving_mutex);
    return serving;
  }

  // REQUIRES: load_mutex held. Loads and checks `ref` off the prediction path, then swaps
  // it in; on failure records it and rethrows, the serving version untouched.
  void load_and_swap(const VersionRef& ref) {
    last_seen = ref;
    try {
      VersionPtr next = ModelVersion::load(ref, options.intra_op_threads);
      VersionPtr previous;
      {
        const std::lock_guard lock(serving_mutex);
        previous = std::exchange(serving, std::move(next));
      }
      const std::lock_guard lock(status_mutex);
      status.serving = ref.name;
      ++status.loads;
      // `previous` is destroyed here, or by the last prediction still holding it.
    } catch (const Error& e) {
      record_failure(ref.name, e.what());
      throw;
    } catch (const std::exception& e) {  // e.g. a JSON field of the wrong type: still the version's fault
      const std::string message = fmt::format("{}: cannot be served: {}", ref.dir.string(), e.what());
      record_failure(ref.name, message);
      throw ModelError(message);
    }
  }

  void record_failure(const std::string& version, const std::string& error) {
    const std::lock_guard lock(status_mutex);
    status.failed_version = version;
    status.last_error = error;
    if (status.loads > 0) ++status.failures;
  }

  // Polls `current`; a version it has not tried yet is loaded. A refused version is not
  // retried until `current` changes again (or reload() is called).
  void watch() {
    std::unique_lock stop_lock(stop_mutex);
    while (!stop_signal.wait_for(stop_lock, options.poll_interval, [this] { return stopping; })) {
      stop_lock.unlock();
      poll_once();
      stop_lock.lock();
    }
  }

  void poll_once() {
    const std::lock_guard lock(load_mutex);
    VersionRef ref;
    try {
      ref = resolve_version(model_dir);
    } catch (const Error& e) {  // e.g. `current` names a missing version: keep serving
      const std::lock_guard status_lock(status_mutex);
      status.last_error = e.what();
      return;
    }
    if (ref == last_seen) return;
    try {
      load_and_swap(ref);
    } catch (const Error&) {
      // recorded by load_and_swap; the serving version answers on
    }
  }
};

Shim::Shim(const fs::path& model_dir, ShimOptions options)
    : impl_(std::make_unique<Impl>(model_dir, options)) {}

Shim::~Shim() = default;

Prediction Shim::predict(const TokenInput& token) const {
  const VersionPtr version = impl_->current();
  const std::size_t t = version->window();
  std::vector<float> candles(t * kCandleFeatureCount), indicators(t * kIndicatorFeatureCount),
      context(kContextFeatureCount), tabular(version->needs_tabular() ? kTabularFeatureCount : 0);
  write_model_inputs(token, t, version->scalers(), "token", candles, indicators, context, tabular);
  Prediction out;
  version->run(1, candles, indicators, context, tabular,
               {std::span(&out.profitable_prob, 1), std::span(&out.max_profit, 1), std::span(&out.rug_prob, 1)});
  out.model_version = version->name();
  return out;
}

std::vector<BatchItem> Shim::predict_batch(std::span<const TokenInput> tokens) const {
  const VersionPtr version = impl_->current();
  const std::size_t t = version->window(), fc = t * kCandleFeatureCount, fi = t * kIndicatorFeatureCount,
                    fx = kContextFeatureCount, fv = version->needs_tabular() ? kTabularFeatureCount : 0;
  std::vector<BatchItem> items(tokens.size());
  std::vector<float> candles(tokens.size() * fc), indicators(tokens.size() * fi), context(tokens.size() * fx),
      tabular(tokens.size() * fv);
  std::vector<std::size_t> accepted;  // [B] indices into tokens, in order
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const std::size_t row = accepted.size();
    try {
      write_model_inputs(tokens[k], t, version->scalers(), fmt::format("token {}", k),
                         std::span(candles).subspan(row * fc, fc), std::span(indicators).subspan(row * fi, fi),
                         std::span(context).subspan(row * fx, fx), std::span(tabular).subspan(row * fv, fv));
      accepted.push_back(k);
    } catch (const InputError& e) {
      items[k].error = e.what();
    }
  }
  if (accepted.empty()) return items;
  const std::size_t b = accepted.size();
  std::vector<double> p(b), m(b), r(b);
  version->run(b, std::span(candles).first(b * fc), std::span(indicators).first(b * fi),
               std::span(context).first(b * fx), std::span(tabular).first(b * fv), {p, m, r});
  for (std::size_t j = 0; j < b; ++j) {
    items[accepted[j]].prediction = Prediction{p[j], m[j], r[j], version->name()};
  }
  return items;
}

void Shim::reload() {
  const std::lock_guard lock(impl_->load_mutex);
  VersionRef ref;
  try {
    ref = resolve_version(impl_->model_dir);
  } catch (const Error& e) {
    impl_->record_failure("", e.what());
    throw;
  }
  impl_->load_and_swap(ref);
}

ShimStatus Shim::status() const {
  const std::lock_guard lock(impl_->status_mutex);
  return impl_->status;
}

std::string Shim::model_version() const { return impl_->current()->name(); }
std::size_t Shim::window() const { return impl_->current()->window(); }
std::size_t Shim::min_candles() const { return min_candles_for(window()); }

}  // namespace snipe::shim
