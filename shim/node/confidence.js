'use strict';
// hybridConfidence: the prototype bot's blended entry confidence, a weighted mean of
//   adaptive - the bot's own adaptive score,
//   llm      - the LLM's score,
//   model    - the model's profitable probability (a number, or a Prediction from Shim),
// with a rug veto: when the rug probability (input.rug, else the prediction's rugProb)
// reaches options.rugVeto the confidence is 0. A score that is missing (undefined or null)
// is dropped and the weights of the others are renormalised to sum to 1.
// Pure JavaScript, no native code: usable without the addon.

const SCORE_NAMES = Object.freeze(['adaptive', 'llm', 'model']);

/** The blend's default weights (sum 1). */
const DEFAULT_WEIGHTS = Object.freeze({ adaptive: 0.4, llm: 0.4, model: 0.2 });

/** The default rug veto threshold: vetoed when the rug probability is >= this. */
const DEFAULT_RUG_VETO = 0.5;

const INPUT_KEYS = new Set([...SCORE_NAMES, 'rug']);
const OPTION_KEYS = new Set(['weights', 'rugVeto']);

function isMissing(value) {
  return value === undefined || value === null;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeError(message) {
  const error = new TypeError(`hybridConfidence: ${message}`);
  error.code = 'ERR_INVALID_ARG_TYPE';
  return error;
}

function rangeError(message) {
  const error = new RangeError(`hybridConfidence: ${message}`);
  error.code = 'ERR_OUT_OF_RANGE';
  return error;
}

// Throws a TypeError for any own key of `object` not in `known`: catches typos.
function checkKeys(object, known, what) {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      throw typeError(`unknown ${what} '${key}' (known: ${[...known].join(', ')})`);
    }
  }
}

// A probability: a finite number in [0, 1]. `name` names it in the message.
function probability(value, name) {
  if (typeof value !== 'number') {
    throw typeError(`${name} must be a number in [0, 1], got ${typeof value}`);
  }
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw rangeError(`${name} must be a finite number in [0, 1], got ${value}`);
  }
  return value;
}

// The model input: a number, or a prediction object {profitableProb, rugProb?}.
// Returns {score, rug} (either may be undefined).
function readModel(model) {
  if (isMissing(model)) return { score: undefined, rug: undefined };
  if (typeof model === 'number') return { score: probability(model, 'model'), rug: undefined };
  if (!isPlainObject(model)) {
    throw typeError(`model must be a number or a prediction object, got ${typeof model}`);
  }
  if (isMissing(model.profitableProb)) {
    throw typeError('model is an object without profitableProb (expected a Shim prediction)');
  }
  const score = probability(model.profitableProb, 'model.profitableProb');
  const rug = isMissing(model.rugProb) ? undefined : probability(model.rugProb, 'model.rugProb');
  return { score, rug };
}

// The configured weights: the defaults, overridden key by key by options.weights.
function readWeights(weights) {
  if (isMissing(weights)) return { ...DEFAULT_WEIGHTS };
  if (!isPlainObject(weights)) throw typeError(`options.weights must be an object, got ${typeof weights}`);
  checkKeys(weights, new Set(SCORE_NAMES), 'weight');
  const merged = { ...DEFAULT_WEIGHTS };
  for (const name of SCORE_NAMES) {
    if (isMissing(weights[name])) continue;
    const w = weights[name];
    if (typeof w !== 'number') throw typeError(`options.weights.${name} must be a number, got ${typeof w}`);
    if (!Number.isFinite(w) || w < 0) {
      throw rangeError(`options.weights.${name} must be a finite number >= 0, got ${w}`);
    }
    merged[name] = w;
  }
  return merged;
}

function readRugVeto(rugVeto) {
  if (isMissing(rugVeto)) return DEFAULT_RUG_VETO;
  return probability(rugVeto, 'options.rugVeto');
}

// The weights of the present scores, renormalised to sum 1; absent scores get 0.
function renormalise(configured, scores) {
  const present = SCORE_NAMES.filter((name) => scores[name] !== undefined);
  if (present.length === 0) {
    throw rangeError('no score given: pass at least one of adaptive, llm, model');
  }
  const total = present.reduce((sum, name) => sum + configured[name], 0);
  if (!(total > 0)) {
    throw rangeError(`the weights of the given scores (${present.join(', ')}) are all zero`);
  }
  const used = { adaptive: 0, llm: 0, model: 0 };
  for (const name of present) used[name] = configured[name] / total;
  return used;
}

/**
 * The blended confidence of one entry. See index.d.ts (HybridInput, HybridOptions,
 * HybridResult) for the contract.
 * @param {{adaptive?: number|null, llm?: number|null, model?: number|object|null, rug?: number|null}} input
 * @param {{weights?: {adaptive?: number, llm?: number, model?: number}, rugVeto?: number}} [options]
 * @returns {{confidence: number, vetoed: boolean, rugProb: number|null,
 *            weights: {adaptive: number, llm: number, model: number}}}
 */
function hybridConfidence(input, options = {}) {
  if (!isPlainObject(input)) throw typeError(`input must be an object {adaptive, llm, model}, got ${typeof input}`);
  if (isMissing(options)) options = {};
  if (!isPlainObject(options)) throw typeError(`options must be an object, got ${typeof options}`);
  checkKeys(input, INPUT_KEYS, 'input');
  checkKeys(options, OPTION_KEYS, 'option');

  const model = readModel(input.model);
  const scores = {
    adaptive: isMissing(input.adaptive) ? undefined : probability(input.adaptive, 'adaptive'),
    llm: isMissing(input.llm) ? undefined : probability(input.llm, 'llm'),
    model: model.score,
  };
  const rug = isMissing(input.rug) ? model.rug : probability(input.rug, 'rug');
  const rugVeto = readRugVeto(options.rugVeto);
  const weights = renormalise(readWeights(options.weights), scores);

  const rugProb = rug === undefined ? null : rug;
  if (rug !== undefined && rug >= rugVeto) return { confidence: 0, vetoed: true, rugProb, weights };

  let confidence = 0;
  for (const name of SCORE_NAMES) {
    if (scores[name] !== undefined) confidence += weights[name] * scores[name];
  }
  // Rounding may step a hair outside [0, 1]; the result is a probability-like score.
  confidence = Math.min(1, Math.max(0, confidence));
  return { confidence, vetoed: false, rugProb, weights };
}

module.exports = { hybridConfidence, DEFAULT_WEIGHTS, DEFAULT_RUG_VETO };
