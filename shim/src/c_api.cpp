// The C ABI over the C++ API: every exception is caught here and becomes a status code
// plus the calling thread's last error message.

#include "snipe/snipe_shim.h"

#include <cstddef>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "snipe/shim.h"

// snipe_candle is read in place as snipe::shim::Candle: the same fields at the same offsets.
static_assert(sizeof(snipe_candle) == sizeof(snipe::shim::Candle));
static_assert(offsetof(snipe_candle, timestamp) == offsetof(snipe::shim::Candle, timestamp));
static_assert(offsetof(snipe_candle, open) == offsetof(snipe::shim::Candle, open));
static_assert(offsetof(snipe_candle, high) == offsetof(snipe::shim::Candle, high));
static_assert(offsetof(snipe_candle, low) == offsetof(snipe::shim::Candle, low));
static_assert(offsetof(snipe_candle, close) == offsetof(snipe::shim::Candle, close));
static_assert(offsetof(snipe_candle, volume) == offsetof(snipe::shim::Candle, volume));

struct snipe_shim {
  snipe::shim::Shim shim;
};

namespace {

using snipe::shim::InputError;
using snipe::shim::ModelError;

thread_local std::string last_error;

// Copies `text` into a fixed char array, truncated, always NUL-terminated.
template <std::size_t N>
void copy_string(char (&to)[N], const std::string& text) {
  const std::size_t n = std::min(text.size(), N - 1);
  std::memcpy(to, text.data(), n);
  to[n] = '\0';
}

int fail(int status, const std::string& message) {
  last_error = message;
  return status;
}

// Runs `body`, turning every exception into a status and last_error.
template <class Body>
int guarded(Body&& body) noexcept {
  try {
    last_error.clear();
    return body();
  } catch (const InputError& e) {
    return fail(SNIPE_ERROR_INPUT, e.what());
  } catch (const ModelError& e) {
    return fail(SNIPE_ERROR_MODEL, e.what());
  } catch (const std::bad_alloc&) {
    return fail(SNIPE_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(SNIPE_ERROR_INTERNAL, e.what());
  } catch (...) {
    return fail(SNIPE_ERROR_INTERNAL, "unknown error");
  }
}

snipe::shim::TokenInput token_input(const snipe_token& token) {
  if (token.candle_count > 0 && token.candles == nullptr) throw InputError("token: candles is NULL");
  if (token.context_count > 0 && token.context == nullptr) throw InputError("token: context is NULL");
  snipe::shim::TokenInput input;
  input.candles = snipe::shim::CandleSpan(reinterpret_cast<const snipe::shim::Candle*>(token.candles), token.candle_count);
  input.context.reserve(token.context_count);
  for (std::size_t i = 0; i < token.context_count; ++i) {
    const snipe_context_field& field = token.context[i];
    if (field.name == nullptr) throw InputError("token: context field " + std::to_string(i) + " has a NULL name");
    input.context.emplace_back(field.name, field.known ? std::optional<double>(field.value) : std::nullopt);
  }
  return input;
}

void fill(snipe_prediction& out, const snipe::shim::Prediction& p) {
  out.profitable_prob = p.profitable_prob;
  out.max_profit = p.max_profit;
  out.rug_prob = p.rug_prob;
  copy_string(out.model_version, p.model_version);
  out.status = SNIPE_OK;
  out.error[0] = '\0';
}

}  // namespace

extern "C" {

void snipe_shim_default_options(snipe_shim_options* options) {
  if (options == nullptr) return;
  options->intra_op_threads = 1;
  options->watch = 1;
  options->poll_interval_ms = 1000;
}

int snipe_shim_open(const char* model_dir, const snipe_shim_options* options, snipe_shim** out) {
  if (out != nullptr) *out = nullptr;
  return guarded([&]() -> int {
    if (model_dir == nullptr || out == nullptr) {
      return fail(SNIPE_ERROR_ARGUMENT, "snipe_shim_open: model_dir and out must not be NULL");
    }
    snipe_shim_options o;
    snipe_shim_default_options(&o);
    if (options != nullptr) o = *options;
    const snipe::shim::ShimOptions resolved{
        .intra_op_threads = o.intra_op_threads > 0 ? o.intra_op_threads : 1,
        .watch = o.watch != 0,
        .poll_interval = std::chrono::milliseconds(o.poll_interval_ms > 0 ? o.poll_interval_ms : 1000)};
    *out = new snipe_shim{snipe::shim::Shim(model_dir, resolved)};
    return SNIPE_OK;
  });
}

void snipe_shim_close(snipe_shim* shim) { delete shim; }

int snipe_shim_predict(snipe_shim* shim, const snipe_token* token, snipe_prediction* out) {
  const int status = guarded([&]() -> int {
    if (shim == nullptr || token == nullptr || out == nullptr) {
      return fail(SNIPE_ERROR_ARGUMENT, "snipe_shim_predict: shim, token and out must not be NULL");
    }
    fill(*out, shim->shim.predict(token_input(*token)));
    return SNIPE_OK;
  });
  if (status != SNIPE_OK && out != nullptr) {
    out->status = status;
    copy_string(out->error, last_error);
  }
  return status;
}

int snipe_shim_predict_batch(snipe_shim* shim, const snipe_token* tokens, std::size_t count,
                             snipe_prediction* out) {
  return guarded([&]() -> int {
    if (shim == nullptr || (count > 0 && (tokens == nullptr || out == nullptr))) {
      return fail(SNIPE_ERROR_ARGUMENT, "snipe_shim_predict_batch: shim, tokens and out must not be NULL");
    }
    std::vector<snipe::shim::TokenInput> inputs(count);
    std::vector<std::string> refused(count);  // conversion errors (a NULL pointer in a token)
    for (std::size_t i = 0; i < count; ++i) {
      try {
        inputs[i] = token_input(tokens[i]);
      } catch (const InputError& e) {
        refused[i] = "token " + std::to_string(i) + ": " + e.what();
      }
    }
    const std::vector<snipe::shim::BatchItem> items = shim->shim.predict_batch(inputs);
    int first = SNIPE_OK;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string& error = refused[i].empty() ? items[i].error : refused[i];
      if (error.empty() && items[i].prediction) {
        fill(out[i], *items[i].prediction);
        continue;
      }
      out[i] = snipe_prediction{};
      out[i].status = SNIPE_ERROR_INPUT;
      copy_string(out[i].error, error);
      if (first == SNIPE_OK) {
        first = SNIPE_ERROR_INPUT;
        last_error = error;
      }
    }
    return first;
  });
}

int snipe_shim_reload(snipe_shim* shim) {
  return guarded([&]() -> int {
    if (shim == nullptr) return fail(SNIPE_ERROR_ARGUMENT, "snipe_shim_reload: shim is NULL");
    shim->shim.reload();
    return SNIPE_OK;
  });
}

int snipe_shim_get_status(snipe_shim* shim, snipe_shim_status* out) {
  return guarded([&]() -> int {
    if (shim == nullptr || out == nullptr) {
      return fail(SNIPE_ERROR_ARGUMENT, "snipe_shim_get_status: shim and out must not be NULL");
    }
    const snipe::shim::ShimStatus s = shim->shim.status();
    copy_string(out->serving, s.serving);
    copy_string(out->failed_version, s.failed_version);
    copy_string(out->last_error, s.last_error);
    out->loads = s.loads;
    out->failures = s.failures;
    out->window = shim->shim.window();
    out->min_candles = shim->shim.min_candles();
    return SNIPE_OK;
  });
}

const char* snipe_last_error(void) { return last_error.c_str(); }

}  // extern "C"
