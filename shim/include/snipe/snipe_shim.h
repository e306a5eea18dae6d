/* snipe_shim.h: the C ABI of the inference shim, for the bot's Node addon and any other
 * language. A thin layer over the C++ API (snipe/shim.h); no C++ exception crosses it.
 *
 * Ownership, for every buffer:
 *   - snipe_shim_open() gives the caller a handle it owns; snipe_shim_close() frees it.
 *   - Every input (model_dir, candles, context names) is borrowed for the call only.
 *   - Every output struct (snipe_prediction, snipe_shim_status) is caller-allocated and
 *     filled in place; the strings inside are fixed-size, NUL-terminated arrays, truncated
 *     when longer (never unterminated).
 *   - snipe_last_error() returns a thread-local string owned by the library, valid until
 *     the next snipe_* call on the same thread.
 * Thread-safety: predict and status may be called from any number of threads at once on
 * one handle; reload may run beside them (predictions in flight finish on the version they
 * started with). close must not race any other call on its handle.
 */
#ifndef SNIPE_SHIM_H_
#define SNIPE_SHIM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SNIPE_SHIM_ABI_VERSION 1

/* The opaque handle: one open model directory and the version it serves. */
typedef struct snipe_shim snipe_shim;

/* Status codes: every int-returning function returns one. */
enum snipe_status {
  SNIPE_OK = 0,
  SNIPE_ERROR_ARGUMENT = 1, /* a NULL pointer or a zero count where one is required */
  SNIPE_ERROR_INPUT = 2,    /* the candles or context were refused (too few, NaN, unsorted, ...) */
  SNIPE_ERROR_MODEL = 3,    /* the model directory or a version in it cannot be loaded */
  SNIPE_ERROR_INTERNAL = 4  /* anything else; the message says what */
};

/* One 5-minute bar; the same layout as snipe::shim::Candle (snipe/shim.h). */
typedef struct snipe_candle {
  int64_t timestamp; /* bar open time, Unix seconds (UTC), strictly increasing */
  double open, high, low, close;
  double volume; /* traded value in the bar, quote currency (USD), >= 0 */
} snipe_candle;

/* One static token fact by name (metadata.json's inputs.context field names without the
 * log1p_/_missing decoration: initial_liquidity_usd, top10_holder_share,
 * mint_authority_revoked, lp_burned, creator_previous_launches, age_hours). Every field
 * must be given; known = 0 marks a fact the bot does not know (value is then ignored). */
typedef struct snipe_context_field {
  const char* name;
  double value;
  int known;
} snipe_context_field;

/* One token to predict: its candles since launch (at least snipe_shim_status.min_candles),
 * oldest first, and its context. */
typedef struct snipe_token {
  const snipe_candle* candles;
  size_t candle_count;
  const snipe_context_field* context;
  size_t context_count;
} snipe_token;

#define SNIPE_VERSION_CHARS 128
#define SNIPE_ERROR_CHARS 512

typedef struct snipe_prediction {
  double profitable_prob; /* P(take-profit barrier before stop-loss within the horizon) */
  double max_profit;      /* predicted max high in the horizon / entry - 1 */
  double rug_prob;        /* P(rug within the horizon) */
  char model_version[SNIPE_VERSION_CHARS]; /* the version that produced this prediction */
  int status;             /* batch only: SNIPE_OK, or why this token was refused */
  char error[SNIPE_ERROR_CHARS]; /* batch only: the message when status != SNIPE_OK */
} snipe_prediction;

typedef struct snipe_shim_options {
  int intra_op_threads;    /* LibTorch threads per prediction; <= 0: 1 (best latency) */
  int watch;               /* 1: poll the model directory's `current` and hot-reload */
  int poll_interval_ms;    /* how often to poll; <= 0: 1000 */
} snipe_shim_options;

typedef struct snipe_shim_status {
  char serving[SNIPE_VERSION_CHARS];        /* the version that answers predictions now */
  char failed_version[SNIPE_VERSION_CHARS]; /* the last version that failed to load, or "" */
  char last_error[SNIPE_ERROR_CHARS];       /* why it failed, or "" */
  uint64_t loads;                           /* versions loaded and swapped in, the first included */
  uint64_t failures;                        /* versions refused (the old one kept serving) */
  size_t window;                            /* T: candles in the model's window */
  size_t min_candles;                       /* T + indicator warm-up: fewest candles predict accepts */
} snipe_shim_status;

/* Fills `options` with the defaults (1 thread, watch on, 1000 ms). */
void snipe_shim_default_options(snipe_shim_options* options);

/* Opens an export directory (model.pt, scalers.json, metadata.json) or a model directory
 * whose `current` (a symlink, or a file holding a name) names a version subdirectory, and
 * stores the new handle in *out (NULL on failure). `options` may be NULL (defaults).
 * SNIPE_ERROR_MODEL when the directory cannot be served; snipe_last_error() says why. */
int snipe_shim_open(const char* model_dir, const snipe_shim_options* options, snipe_shim** out);

/* Frees the handle (stops the watcher). NULL is a no-op. */
void snipe_shim_close(snipe_shim* shim);

/* Predicts one token into `out` (out->status and out->error are set as well). */
int snipe_shim_predict(snipe_shim* shim, const snipe_token* token, snipe_prediction* out);

/* Predicts `count` tokens into out[0..count) in one model call. Returns SNIPE_OK when every
 * token was predicted; otherwise the first refusal's status, with each refused token's
 * out[i].status and out[i].error set and the others predicted. */
int snipe_shim_predict_batch(snipe_shim* shim, const snipe_token* tokens, size_t count,
                             snipe_prediction* out);

/* Loads the version `current` names now, checks it, and swaps it in. On failure the
 * previous version keeps serving and the error is returned (and kept in the status). */
int snipe_shim_reload(snipe_shim* shim);

int snipe_shim_get_status(snipe_shim* shim, snipe_shim_status* out);

/* The calling thread's last error message ("" when none). */
const char* snipe_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* SNIPE_SHIM_H_ */
