// Type definitions for snipe-shim: the inference shim's Node.js binding.

/**
 * One 5-minute bar, as an object. Prices are in the quote currency (USD).
 * `timestamp` is the bar's open time in Unix **seconds** (UTC, not milliseconds), an integer.
 */
export interface CandleObject {
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Traded value in the bar, USD, >= 0. */
  volume: number;
}

/** One bar as a tuple: [timestamp, open, high, low, close, volume]. */
export type CandleTuple = readonly [
  timestamp: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
];

/**
 * A candle, as an object or a tuple. Only the types are checked in JavaScript (a missing
 * field or a non-number is a TypeError naming the index and the field); the library checks
 * the values (NaN, ordering, too few candles) and rejects with code ERR_SNIPE_INPUT.
 */
export type Candle = CandleObject | CandleTuple;

/**
 * A context value: a number; a boolean (true = 1, false = 0); or null/undefined for a fact
 * the bot does not know (the model sees it as missing, as in training).
 */
export type ContextValue = number | boolean | null | undefined;

/**
 * The token's static facts by name. Every own key is passed to the library, which refuses
 * unknown and missing names (ERR_SNIPE_INPUT, the message names the field), so all of the
 * model's context fields must be present (use null for an unknown one).
 */
export interface Context {
  initial_liquidity_usd: ContextValue;
  top10_holder_share: ContextValue;
  mint_authority_revoked: ContextValue;
  lp_burned: ContextValue;
  creator_previous_launches: ContextValue;
  age_hours: ContextValue;
  /** Fields of a newer model; the library refuses names the serving model does not know. */
  [field: string]: ContextValue;
}

/** One token of a batch. */
export interface TokenInput {
  /** Since launch, oldest first; at least `Shim.minCandles`. */
  candles: readonly Candle[];
  context: Context;
}

/** The model's prediction for the window ending at the token's last candle. */
export interface Prediction {
  /** P(take-profit barrier before stop-loss within the horizon), in [0, 1]. */
  profitableProb: number;
  /** Predicted max high in the horizon / entry price - 1. */
  maxProfit: number;
  /** P(rug within the horizon), in [0, 1]. */
  rugProb: number;
  /** The model version that produced this prediction. */
  modelVersion: string;
}

/** Error codes of the library's failures (`error.code`). */
export type SnipeErrorCode =
  | 'ERR_SNIPE_INPUT'
  | 'ERR_SNIPE_MODEL'
  | 'ERR_SNIPE_ARGUMENT'
  | 'ERR_SNIPE_INTERNAL';

/** A token of a batch the library refused (the other tokens are still predicted). */
export interface BatchError {
  /** Why, e.g. "token 2: ... needs at least 64 candles". */
  error: string;
  code: SnipeErrorCode;
}

/** One item of predictBatch's result: a prediction, or why the token was refused. */
export type BatchResult = Prediction | BatchError;

/** Options of `new Shim()`. */
export interface ShimOptions {
  /** LibTorch threads per prediction (an integer >= 1; default 1: best latency). */
  intraOpThreads?: number;
  /** Poll the model directory's `current` and hot-reload a new version (default true). */
  watch?: boolean;
  /** How often to poll, ms (an integer >= 1; default 1000). */
  pollIntervalMs?: number;
}

/** What the shim serves and how its reloads went. */
export interface ShimStatus {
  /** The version that answers predictions now. */
  serving: string;
  /** The last version that failed to load, or null. */
  failedVersion: string | null;
  /** Why it failed, or null. */
  lastError: string | null;
  /** Versions loaded and swapped in, the first included. */
  loads: number;
  /** Versions refused while the old one kept serving. */
  failures: number;
  /** T: candles in the model's window. */
  window: number;
  /** T + indicator warm-up: the fewest candles predict accepts. */
  minCandles: number;
}

/**
 * An error thrown or rejected by Shim. `code` is one of SnipeErrorCode for the library's
 * failures, 'ERR_SNIPE_CLOSED' after close(), 'ERR_INVALID_ARG_TYPE' (a TypeError) or
 * 'ERR_OUT_OF_RANGE' (a RangeError) for a bad argument.
 */
export interface ShimError extends Error {
  code: SnipeErrorCode | 'ERR_SNIPE_CLOSED' | 'ERR_INVALID_ARG_TYPE' | 'ERR_OUT_OF_RANGE';
}

/**
 * One open model directory (the native addon over libsnipe_shim.so).
 *
 * The asynchronous methods run the model on libuv's thread pool (UV_THREADPOOL_SIZE
 * threads, 4 by default) and never block the event loop; they never throw synchronously:
 * every failure, a bad argument or a closed shim included, rejects the promise.
 */
export class Shim {
  /**
   * Opens an export directory (model.pt, scalers.json, metadata.json) or a model directory
   * whose `current` names a version subdirectory. Loads the model on the calling thread.
   * @throws ShimError code ERR_SNIPE_MODEL when the directory cannot be served.
   */
  constructor(modelDir: string, options?: ShimOptions);

  /** Predicts one token on a worker thread. Rejects with a ShimError (ERR_SNIPE_INPUT, ...). */
  predict(candles: readonly Candle[], context: Context): Promise<Prediction>;

  /** Predicts one token on the calling (JS) thread: blocks the event loop for the model call. */
  predictSync(candles: readonly Candle[], context: Context): Prediction;

  /**
   * Predicts every token in one model call on a worker thread. Each item is a Prediction or,
   * for a refused token, a BatchError. Rejects only when the whole batch fails or an
   * argument is malformed (a TypeError naming tokens[i]...).
   */
  predictBatch(tokens: readonly TokenInput[]): Promise<BatchResult[]>;

  /**
   * Loads the version `current` names now, checks it and swaps it in, on a worker thread.
   * Resolves with the status after the swap; rejects (ERR_SNIPE_MODEL) when the version
   * fails, the previous one serving on.
   */
  reload(): Promise<ShimStatus>;

  /** The current status. */
  status(): ShimStatus;

  /**
   * Releases the model. Idempotent. Predictions in flight finish first (the library handle
   * is closed when the last one completes); every later call throws or rejects with code
   * ERR_SNIPE_CLOSED.
   */
  close(): void;

  /** The version serving now. */
  readonly modelVersion: string;
  /** The fewest candles predict accepts (window + indicator warm-up). */
  readonly minCandles: number;
  /** T: candles in the model's window. */
  readonly window: number;
  /** Whether close() was called. */
  readonly closed: boolean;
}

/** SNIPE_SHIM_ABI_VERSION of the C ABI the addon was built against. */
export const abiVersion: number;

/** The scores the blend weighs. */
export type ScoreName = 'adaptive' | 'llm' | 'model';

/** Weights of the blend, by score. */
export interface HybridWeights {
  adaptive: number;
  llm: number;
  model: number;
}

/**
 * The inputs of hybridConfidence. A missing score (undefined or null) is dropped and the
 * others' weights renormalised. Every score is a finite number in [0, 1].
 */
export interface HybridInput {
  /** The bot's adaptive score. */
  adaptive?: number | null;
  /** The LLM's score. */
  llm?: number | null;
  /**
   * The model: its profitable probability, or a Prediction (profitableProb is the score;
   * rugProb feeds the rug veto).
   */
  model?: number | Pick<Prediction, 'profitableProb'> & Partial<Pick<Prediction, 'rugProb'>> | null;
  /** A rug probability for the veto; overrides the prediction's rugProb when given. */
  rug?: number | null;
}

export interface HybridOptions {
  /**
   * Weights by score, each finite and >= 0; a key left out keeps its default
   * (DEFAULT_WEIGHTS: adaptive 0.4, llm 0.4, model 0.2).
   */
  weights?: Partial<HybridWeights>;
  /** Veto (confidence 0) when the rug probability is >= this; in [0, 1], default 0.5. */
  rugVeto?: number;
}

export interface HybridResult {
  /** The weighted mean of the present scores, in [0, 1]; 0 when vetoed. */
  confidence: number;
  /** Whether the rug veto fired. */
  vetoed: boolean;
  /** The rug probability the veto looked at, or null when none was given. */
  rugProb: number | null;
  /** The renormalised weights actually used (sum 1); a dropped score has weight 0. */
  weights: HybridWeights;
}

/**
 * The prototype bot's blended confidence: the weighted mean of the adaptive score, the LLM
 * score and the model's profitable probability, with a rug veto.
 * @throws RangeError when a score, weight or rugVeto is out of range, when no score is
 *   given, or when the present scores' weights are all zero; TypeError for a wrong type or
 *   an unknown key.
 */
export function hybridConfidence(input: HybridInput, options?: HybridOptions): HybridResult;

/** The default weights: {adaptive: 0.4, llm: 0.4, model: 0.2}. */
export const DEFAULT_WEIGHTS: Readonly<HybridWeights>;

/** The default rug veto threshold: 0.5. */
export const DEFAULT_RUG_VETO: number;
