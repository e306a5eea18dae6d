// addon.cpp: the Node-API binding of the inference shim, a thin layer over the C ABI
// (snipe/snipe_shim.h), never over the C++ API.
//
// JavaScript surface (typed in index.d.ts):
//   new Shim(modelDir, {intraOpThreads, watch, pollIntervalMs})
//   shim.predict(candles, context)      -> Promise<Prediction>        (libuv worker)
//   shim.predictSync(candles, context)  -> Prediction                 (JS thread)
//   shim.predictBatch(tokens)           -> Promise<BatchResult[]>     (libuv worker)
//   shim.reload()                       -> Promise<ShimStatus>        (libuv worker)
//   shim.status(), shim.modelVersion, shim.minCandles, shim.window, shim.closed, shim.close()
//
// Threading: every JS value is read and every JS value is created on the JS thread. A worker
// copies its inputs into plain C++ buffers (TokenData) on the JS thread, calls the library on
// a libuv thread (the C ABI allows concurrent predict/reload on one handle), and settles its
// promise on the JS thread. The event loop never waits on the model, except in predictSync.
//
// Lifetime: the snipe_shim* lives in a Handle shared (std::shared_ptr) by the JS object and
// every worker in flight. close() drops the object's share only, so snipe_shim_close runs
// when the last in-flight worker is destroyed (on the JS thread, after its library call
// returned) and never races another call on the handle, as the C ABI requires.
//
// Errors: C++ exceptions are on. Every entry point either lets a Napi::Error reach
// node-addon-api's wrapper (which throws it into JS) or, for promise-returning methods,
// turns it into a rejection; NODE_ADDON_API_CPP_EXCEPTIONS_ALL catches anything else, so no
// C++ exception escapes into Node. Library failures carry `code`: ERR_SNIPE_INPUT,
// ERR_SNIPE_MODEL, ERR_SNIPE_ARGUMENT or ERR_SNIPE_INTERNAL; a closed shim ERR_SNIPE_CLOSED;
// argument type errors ERR_INVALID_ARG_TYPE (TypeError) and range errors ERR_OUT_OF_RANGE.

#include <napi.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "snipe/snipe_shim.h"

namespace {

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

const char* StatusCode(int status) {
  switch (status) {
    case SNIPE_ERROR_ARGUMENT: return "ERR_SNIPE_ARGUMENT";
    case SNIPE_ERROR_INPUT: return "ERR_SNIPE_INPUT";
    case SNIPE_ERROR_MODEL: return "ERR_SNIPE_MODEL";
    default: return "ERR_SNIPE_INTERNAL";
  }
}

// Sets error.code and returns the error, ready to throw or to reject with.
Napi::Error WithCode(Napi::Error error, const char* code) {
  error.Value().Set("code", Napi::String::New(error.Env(), code));
  return error;
}

Napi::Error SnipeError(Napi::Env env, int status, const std::string& message) {
  return WithCode(Napi::Error::New(env, message.empty() ? "snipe: unknown error" : message),
                  StatusCode(status));
}

Napi::Error ArgTypeError(Napi::Env env, const std::string& message) {
  return WithCode(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_TYPE");
}

Napi::Error ArgRangeError(Napi::Env env, const std::string& message) {
  return WithCode(Napi::RangeError::New(env, message), "ERR_OUT_OF_RANGE");
}

// A fixed-size C string from the library: NUL-terminated by contract, bounded here anyway.
template <std::size_t N>
std::string FixedString(const char (&text)[N]) {
  return std::string(text, strnlen(text, N));
}

// The message of a failed call on this thread: the per-call error when the library filled
// one, else snipe_last_error() (thread-local: read it on the thread that made the call).
std::string FailureText(const char* per_call) {
  if (per_call != nullptr && per_call[0] != '\0') return per_call;
  return snipe_last_error();
}

// The shortest text that reads back as `value` (1.5, not 1.500000), for messages.
std::string FormatNumber(double value) {
  char text[32];
  const std::to_chars_result end = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, end.ptr);
}

// "string", "object", "null", ... for messages.
std::string TypeName(const Napi::Value& value) {
  if (value.IsNull()) return "null";
  if (value.IsUndefined()) return "undefined";
  if (value.IsArray()) return "array";
  if (value.IsString()) return "string";
  if (value.IsNumber()) return "number";
  if (value.IsBoolean()) return "boolean";
  if (value.IsBigInt()) return "bigint";
  if (value.IsFunction()) return "function";
  if (value.IsSymbol()) return "symbol";
  return "object";
}

// ---------------------------------------------------------------------------------------
// JS -> C: candles, context, options (JS thread only)
// ---------------------------------------------------------------------------------------

constexpr const char* kCandleFields[] = {"timestamp", "open", "high", "low", "close", "volume"};
constexpr std::size_t kCandleFieldCount = sizeof(kCandleFields) / sizeof(kCandleFields[0]);

// The largest integer a double holds exactly (Number.MAX_SAFE_INTEGER).
constexpr double kMaxSafeInteger = 9007199254740991.0;

// One candle field: must be a number. `where` names it for the message ("candles[3].close").
double ReadCandleNumber(Napi::Env env, const Napi::Value& value, const std::string& where) {
  if (value.IsUndefined()) throw ArgTypeError(env, where + " is missing");
  if (!value.IsNumber()) {
    throw ArgTypeError(env, where + " must be a number, got " + TypeName(value));
  }
  return value.As<Napi::Number>().DoubleValue();
}

// The timestamp: a number holding whole Unix seconds (int64 in the C struct).
std::int64_t ReadTimestamp(Napi::Env env, const Napi::Value& value, const std::string& where) {
  const double t = ReadCandleNumber(env, value, where);
  if (!std::isfinite(t) || std::trunc(t) != t || std::fabs(t) > kMaxSafeInteger) {
    throw ArgRangeError(env, where + " must be an integer (Unix seconds), got " + FormatNumber(t));
  }
  return static_cast<std::int64_t>(t);
}

// Field i of the candle: fields[0] is the timestamp, the others prices and volume.
void StoreCandleField(snipe_candle& candle, std::size_t i, double value) {
  double* const slots[] = {nullptr, &candle.open, &candle.high, &candle.low, &candle.close,
                           &candle.volume};
  *slots[i] = value;
}

// A candle given as {timestamp, open, high, low, close, volume}.
snipe_candle ReadCandleObject(Napi::Env env, const Napi::Object& object, const std::string& where) {
  snipe_candle candle{};
  candle.timestamp = ReadTimestamp(env, object.Get(kCandleFields[0]), where + ".timestamp");
  for (std::size_t i = 1; i < kCandleFieldCount; ++i) {
    const std::string field = where + "." + kCandleFields[i];
    StoreCandleField(candle, i, ReadCandleNumber(env, object.Get(kCandleFields[i]), field));
  }
  return candle;
}

// A candle given as [timestamp, open, high, low, close, volume].
snipe_candle ReadCandleTuple(Napi::Env env, const Napi::Array& tuple, const std::string& where) {
  if (tuple.Length() != kCandleFieldCount) {
    throw ArgTypeError(env, where + " must have 6 elements [timestamp, open, high, low, close, "
                                    "volume], got " + std::to_string(tuple.Length()));
  }
  auto name = [&](std::size_t i) {
    return where + "[" + std::to_string(i) + "] (" + kCandleFields[i] + ")";
  };
  snipe_candle candle{};
  candle.timestamp = ReadTimestamp(env, tuple.Get(uint32_t{0}), name(0));
  for (std::size_t i = 1; i < kCandleFieldCount; ++i) {
    StoreCandleField(candle, i, ReadCandleNumber(env, tuple.Get(static_cast<uint32_t>(i)), name(i)));
  }
  return candle;
}

// `candles`: an array of candle objects or tuples (types only; the library checks values).
std::vector<snipe_candle> ReadCandles(Napi::Env env, const Napi::Value& value, const std::string& where) {
  if (!value.IsArray()) throw ArgTypeError(env, where + " must be an array, got " + TypeName(value));
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<snipe_candle> candles;
  candles.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const Napi::Value item = array.Get(i);
    const std::string name = where + "[" + std::to_string(i) + "]";
    if (item.IsArray()) {
      candles.push_back(ReadCandleTuple(env, item.As<Napi::Array>(), name));
    } else if (item.IsObject() && !item.IsFunction()) {
      candles.push_back(ReadCandleObject(env, item.As<Napi::Object>(), name));
    } else {
      throw ArgTypeError(env, name + " must be an object {timestamp, open, high, low, close, "
                                     "volume} or an array [t, o, h, l, c, v], got " + TypeName(item));
    }
  }
  return candles;
}

bool IsPlainObject(const Napi::Value& value) {
  return value.IsObject() && !value.IsArray() && !value.IsFunction();
}

// The own enumerable string keys of `object` (Object.keys), not the prototype's.
Napi::Array OwnKeys(Napi::Env env, const Napi::Object& object) {
  napi_value keys = nullptr;
  const napi_status status = napi_get_all_property_names(
      env, object, napi_key_own_only,
      static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
      napi_key_numbers_to_strings, &keys);
  NAPI_THROW_IF_FAILED(env, status, Napi::Array());
  return Napi::Array(env, keys);
}

// One context fact, owned: the library borrows `name` through snipe_context_field.
struct ContextEntry {
  std::string name;
  double value = 0.0;
  int known = 0;
};

// A context value: a number (known), a boolean (1/0, known), or null/undefined (unknown).
ContextEntry ReadContextEntry(Napi::Env env, const std::string& key, const Napi::Value& value,
                              const std::string& where) {
  ContextEntry entry{key, 0.0, 0};
  if (value.IsNull() || value.IsUndefined()) return entry;
  entry.known = 1;
  if (value.IsNumber()) {
    entry.value = value.As<Napi::Number>().DoubleValue();
  } else if (value.IsBoolean()) {
    entry.value = value.As<Napi::Boolean>().Value() ? 1.0 : 0.0;
  } else {
    throw ArgTypeError(env, where + "." + key + " must be a number, a boolean or null, got " +
                                TypeName(value));
  }
  return entry;
}

// `context`: a plain object; every own key is passed through (the library refuses unknown
// or missing names with its own message).
std::vector<ContextEntry> ReadContext(Napi::Env env, const Napi::Value& value, const std::string& where) {
  if (!IsPlainObject(value)) {
    throw ArgTypeError(env, where + " must be an object of context fields, got " + TypeName(value));
  }
  const Napi::Object object = value.As<Napi::Object>();
  const Napi::Array keys = OwnKeys(env, object);
  std::vector<ContextEntry> entries;
  entries.reserve(keys.Length());
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    const std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
    entries.push_back(ReadContextEntry(env, key, object.Get(key), where));
  }
  return entries;
}

// One token's inputs, copied out of JS on the JS thread. It owns every buffer its
// snipe_token view points into, so a worker may use it after the JS values are gone.
// Not thread-safe: one thread at a time (the worker thread, once handed over).
class TokenData {
 public:
  TokenData(std::vector<snipe_candle> candles, std::vector<ContextEntry> context)
      : candles_(std::move(candles)), context_(std::move(context)) {}

  // The C view; valid until this object is moved, destroyed or View() is called again.
  snipe_token View() {
    fields_.clear();
    fields_.reserve(context_.size());
    for (const ContextEntry& entry : context_) {
      fields_.push_back(snipe_context_field{entry.name.c_str(), entry.value, entry.known});
    }
    return snipe_token{candles_.data(), candles_.size(), fields_.data(), fields_.size()};
  }

 private:
  std::vector<snipe_candle> candles_;
  std::vector<ContextEntry> context_;
  std::vector<snipe_context_field> fields_;  // borrows context_[i].name
};

TokenData ReadToken(Napi::Env env, const Napi::Value& candles, const Napi::Value& context,
                    const std::string& prefix) {
  return TokenData(ReadCandles(env, candles, prefix + "candles"),
                   ReadContext(env, context, prefix + "context"));
}

// `tokens` of predictBatch: an array of {candles, context}.
std::vector<TokenData> ReadTokens(Napi::Env env, const Napi::Value& value) {
  if (!value.IsArray()) throw ArgTypeError(env, "tokens must be an array, got " + TypeName(value));
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<TokenData> tokens;
  tokens.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const Napi::Value item = array.Get(i);
    const std::string name = "tokens[" + std::to_string(i) + "]";
    if (!IsPlainObject(item)) {
      throw ArgTypeError(env, name + " must be an object {candles, context}, got " + TypeName(item));
    }
    const Napi::Object token = item.As<Napi::Object>();
    tokens.push_back(ReadToken(env, token.Get("candles"), token.Get("context"), name + "."));
  }
  return tokens;
}

std::string ReadModelDir(Napi::Env env, const Napi::Value& value) {
  if (!value.IsString()) throw ArgTypeError(env, "modelDir must be a string, got " + TypeName(value));
  return value.As<Napi::String>().Utf8Value();
}

// An integer option in [1, INT_MAX], or `fallback` when absent.
int ReadPositiveInt(Napi::Env env, const Napi::Value& value, const char* name, int fallback) {
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) {
    throw ArgTypeError(env, std::string("options.") + name + " must be a number, got " + TypeName(value));
  }
  const double v = value.As<Napi::Number>().DoubleValue();
  if (!(v >= 1 && v <= INT_MAX) || std::trunc(v) != v) {
    throw ArgRangeError(env, std::string("options.") + name + " must be an integer >= 1, got " +
                                 FormatNumber(v));
  }
  return static_cast<int>(v);
}

// The option keys the constructor knows; any other key is refused (catches typos such as
// intra_op_threads).
void CheckOptionKeys(Napi::Env env, const Napi::Object& object) {
  const Napi::Array keys = OwnKeys(env, object);
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    const std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
    if (key != "intraOpThreads" && key != "watch" && key != "pollIntervalMs") {
      throw ArgTypeError(env, "unknown option '" + key + "' (known: intraOpThreads, watch, pollIntervalMs)");
    }
  }
}

snipe_shim_options ReadOptions(Napi::Env env, const Napi::Value& value) {
  snipe_shim_options options{};
  snipe_shim_default_options(&options);
  if (value.IsUndefined() || value.IsNull()) return options;
  if (!IsPlainObject(value)) throw ArgTypeError(env, "options must be an object, got " + TypeName(value));
  const Napi::Object object = value.As<Napi::Object>();
  CheckOptionKeys(env, object);
  options.intra_op_threads = ReadPositiveInt(env, object.Get("intraOpThreads"), "intraOpThreads",
                                             options.intra_op_threads);
  options.poll_interval_ms = ReadPositiveInt(env, object.Get("pollIntervalMs"), "pollIntervalMs",
                                             options.poll_interval_ms);
  const Napi::Value watch = object.Get("watch");
  if (!watch.IsUndefined()) {
    if (!watch.IsBoolean()) throw ArgTypeError(env, "options.watch must be a boolean, got " + TypeName(watch));
    options.watch = watch.As<Napi::Boolean>().Value() ? 1 : 0;
  }
  return options;
}

// ---------------------------------------------------------------------------------------
// C -> JS (JS thread only)
// ---------------------------------------------------------------------------------------

Napi::Object PredictionToJs(Napi::Env env, const snipe_prediction& p) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("profitableProb", Napi::Number::New(env, p.profitable_prob));
  object.Set("maxProfit", Napi::Number::New(env, p.max_profit));
  object.Set("rugProb", Napi::Number::New(env, p.rug_prob));
  object.Set("modelVersion", Napi::String::New(env, FixedString(p.model_version)));
  return object;
}

// A refused batch item: {error, code}.
Napi::Object BatchErrorToJs(Napi::Env env, const snipe_prediction& p) {
  Napi::Object object = Napi::Object::New(env);
  const std::string message = FixedString(p.error);
  object.Set("error", Napi::String::New(env, message.empty() ? "token refused" : message));
  object.Set("code", Napi::String::New(env, StatusCode(p.status)));
  return object;
}

// An empty string from the library is "none": null in JS.
Napi::Value StringOrNull(Napi::Env env, const std::string& text) {
  if (text.empty()) return env.Null();
  return Napi::String::New(env, text);
}

Napi::Object StatusToJs(Napi::Env env, const snipe_shim_status& s) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("serving", Napi::String::New(env, FixedString(s.serving)));
  object.Set("failedVersion", StringOrNull(env, FixedString(s.failed_version)));
  object.Set("lastError", StringOrNull(env, FixedString(s.last_error)));
  object.Set("loads", Napi::Number::New(env, static_cast<double>(s.loads)));
  object.Set("failures", Napi::Number::New(env, static_cast<double>(s.failures)));
  object.Set("window", Napi::Number::New(env, static_cast<double>(s.window)));
  object.Set("minCandles", Napi::Number::New(env, static_cast<double>(s.min_candles)));
  return object;
}

// ---------------------------------------------------------------------------------------
// The handle and the workers
// ---------------------------------------------------------------------------------------

// Owns one open snipe_shim and closes it in the destructor. Shared by the JS object and the
// workers in flight (see "Lifetime" above); the library calls on it are thread-safe.
class Handle {
 public:
  explicit Handle(snipe_shim* shim) : shim_(shim) {}
  ~Handle() { snipe_shim_close(shim_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  snipe_shim* get() const { return shim_; }

 private:
  snipe_shim* const shim_;
};

using HandlePtr = std::shared_ptr<const Handle>;

// Reads the status; throws the library's error. JS thread only.
snipe_shim_status ReadStatus(Napi::Env env, const Handle& handle) {
  snipe_shim_status status{};
  const int rc = snipe_shim_get_status(handle.get(), &status);
  if (rc != SNIPE_OK) throw SnipeError(env, rc, snipe_last_error());
  return status;
}

// An AsyncWorker that settles a promise. Execute() (worker thread) records a library
// failure with Fail(); OnOK() (JS thread) rejects with it, or resolves with Result().
// The worker holds a share of the handle until it is destroyed on the JS thread.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  PromiseWorker(Napi::Env env, const char* name, HandlePtr handle)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), handle_(std::move(handle)) {}

  snipe_shim* shim() const { return handle_->get(); }
  const Handle& handle() const { return *handle_; }

  // Worker thread: remember why the call failed (read the thread-local error here).
  void Fail(int status, const char* per_call_error = nullptr) {
    status_ = status;
    message_ = FailureText(per_call_error);
  }

  // JS thread: the value the promise resolves with.
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void OnOK() override {
    const Napi::Env env = Env();
    try {
      if (status_ != SNIPE_OK) {
        deferred_.Reject(SnipeError(env, status_, message_).Value());
      } else {
        deferred_.Resolve(Result(env));
      }
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const std::exception& e) {
      deferred_.Reject(Napi::Error::New(env, e.what()).Value());
    }
  }

  // Reached only when Execute() threw (a std::exception; node-addon-api caught it).
  void OnError(const Napi::Error& error) override {
    deferred_.Reject(WithCode(error, StatusCode(SNIPE_ERROR_INTERNAL)).Value());
  }

  Napi::Promise::Deferred deferred_;
  const HandlePtr handle_;
  int status_ = SNIPE_OK;  // written by Execute(), read by OnOK() after it (libuv orders them)
  std::string message_;
};

class PredictWorker final : public PromiseWorker {
 public:
  PredictWorker(Napi::Env env, HandlePtr handle, TokenData token)
      : PromiseWorker(env, "snipe:predict", std::move(handle)), token_(std::move(token)) {}

 private:
  void Execute() override {
    const snipe_token view = token_.View();
    const int rc = snipe_shim_predict(shim(), &view, &out_);
    if (rc != SNIPE_OK) Fail(rc, out_.error);
  }
  Napi::Value Result(Napi::Env env) override { return PredictionToJs(env, out_); }

  TokenData token_;
  snipe_prediction out_{};
};

class BatchWorker final : public PromiseWorker {
 public:
  BatchWorker(Napi::Env env, HandlePtr handle, std::vector<TokenData> tokens)
      : PromiseWorker(env, "snipe:predictBatch", std::move(handle)),
        tokens_(std::move(tokens)),
        out_(tokens_.size()) {}

 private:
  void Execute() override {
    std::vector<snipe_token> views;
    views.reserve(tokens_.size());
    for (TokenData& token : tokens_) views.push_back(token.View());
    // An item the library leaves untouched must not read as a prediction of zeros.
    for (snipe_prediction& item : out_) {
      item.status = SNIPE_ERROR_INTERNAL;
      std::strcpy(item.error, "not predicted");
    }
    const int rc = snipe_shim_predict_batch(shim(), views.data(), views.size(), out_.data());
    // INPUT: some tokens refused, each marked. Anything else: the whole batch failed.
    if (rc != SNIPE_OK && rc != SNIPE_ERROR_INPUT) Fail(rc);
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Array results = Napi::Array::New(env, out_.size());
    for (std::size_t i = 0; i < out_.size(); ++i) {
      const snipe_prediction& item = out_[i];
      results.Set(static_cast<uint32_t>(i),
                  item.status == SNIPE_OK ? PredictionToJs(env, item) : BatchErrorToJs(env, item));
    }
    return results;
  }

  std::vector<TokenData> tokens_;
  std::vector<snipe_prediction> out_;
};

class ReloadWorker final : public PromiseWorker {
 public:
  ReloadWorker(Napi::Env env, HandlePtr handle) : PromiseWorker(env, "snipe:reload", std::move(handle)) {}

 private:
  void Execute() override {
    const int rc = snipe_shim_reload(shim());
    if (rc != SNIPE_OK) Fail(rc);
  }
  Napi::Value Result(Napi::Env env) override { return StatusToJs(env, ReadStatus(env, handle())); }
};

// Runs `start` (which queues a worker and returns its promise); an exception thrown before
// the worker is queued (a bad argument, a closed shim) becomes a rejected promise, so the
// promise-returning methods never throw synchronously.
template <class Start>
Napi::Value PromiseOf(Napi::Env env, Start&& start) {
  try {
    return start();
  } catch (const Napi::Error& e) {
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(e.Value());
    return deferred.Promise();
  }
}

// Queues a new worker and returns its promise. Once queued, the worker deletes itself after
// its completion callback (AsyncWorker's self-destruction); until then the unique_ptr owns it.
template <class Worker, class... Args>
Napi::Value Queue(Napi::Env env, Args&&... args) {
  auto worker = std::make_unique<Worker>(env, std::forward<Args>(args)...);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  worker.release();
  return promise;
}

// ---------------------------------------------------------------------------------------
// The Shim class
// ---------------------------------------------------------------------------------------

class Shim final : public Napi::ObjectWrap<Shim> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Shim",
                       {InstanceMethod<&Shim::Predict>("predict"),
                        InstanceMethod<&Shim::PredictSync>("predictSync"),
                        InstanceMethod<&Shim::PredictBatch>("predictBatch"),
                        InstanceMethod<&Shim::Reload>("reload"),
                        InstanceMethod<&Shim::Status>("status"),
                        InstanceMethod<&Shim::Close>("close"),
                        InstanceAccessor<&Shim::ModelVersion>("modelVersion"),
                        InstanceAccessor<&Shim::MinCandles>("minCandles"),
                        InstanceAccessor<&Shim::Window>("window"),
                        InstanceAccessor<&Shim::Closed>("closed")});
  }

  // new Shim(modelDir, options?): opens the directory on the JS thread (loads the model).
  explicit Shim(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Shim>(info) {
    const Napi::Env env = info.Env();
    const std::string model_dir = ReadModelDir(env, info[0]);
    const snipe_shim_options options = ReadOptions(env, info[1]);
    snipe_shim* shim = nullptr;
    const int rc = snipe_shim_open(model_dir.c_str(), &options, &shim);
    if (rc != SNIPE_OK) throw SnipeError(env, rc, snipe_last_error());
    handle_ = std::make_shared<const Handle>(shim);
  }

 private:
  // The handle of an open shim; throws ERR_SNIPE_CLOSED after close().
  const HandlePtr& Open(Napi::Env env) const {
    if (!handle_) throw WithCode(Napi::Error::New(env, "snipe: the Shim is closed"), "ERR_SNIPE_CLOSED");
    return handle_;
  }

  Napi::Value Predict(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return PromiseOf(env, [&] {
      const HandlePtr& handle = Open(env);
      return Queue<PredictWorker>(env, handle, ReadToken(env, info[0], info[1], ""));
    });
  }

  Napi::Value PredictSync(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    const HandlePtr& handle = Open(env);
    TokenData token = ReadToken(env, info[0], info[1], "");
    const snipe_token view = token.View();
    snipe_prediction out{};
    const int rc = snipe_shim_predict(handle->get(), &view, &out);
    if (rc != SNIPE_OK) throw SnipeError(env, rc, FailureText(out.error));
    return PredictionToJs(env, out);
  }

  Napi::Value PredictBatch(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return PromiseOf(env, [&]() -> Napi::Value {
      const HandlePtr& handle = Open(env);
      std::vector<TokenData> tokens = ReadTokens(env, info[0]);
      if (tokens.empty()) {  // nothing to predict: no worker, no library call
        Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
        deferred.Resolve(Napi::Array::New(env));
        return deferred.Promise();
      }
      return Queue<BatchWorker>(env, handle, std::move(tokens));
    });
  }

  Napi::Value Reload(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return PromiseOf(env, [&] { return Queue<ReloadWorker>(env, Open(env)); });
  }

  Napi::Value Status(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return StatusToJs(env, ReadStatus(env, *Open(env)));
  }

  // Drops this object's share of the handle; workers in flight keep theirs, and the last
  // one to finish closes it. Idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    handle_.reset();
    return info.Env().Undefined();
  }

  Napi::Value ModelVersion(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return Napi::String::New(env, FixedString(ReadStatus(env, *Open(env)).serving));
  }

  Napi::Value MinCandles(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return Napi::Number::New(env, static_cast<double>(ReadStatus(env, *Open(env)).min_candles));
  }

  Napi::Value Window(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    return Napi::Number::New(env, static_cast<double>(ReadStatus(env, *Open(env)).window));
  }

  Napi::Value Closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !handle_); }

  HandlePtr handle_;  // null once closed; touched on the JS thread only
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Shim", Shim::Define(env));
  exports.Set("abiVersion", Napi::Number::New(env, SNIPE_SHIM_ABI_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(snipe_shim_node, Init)
