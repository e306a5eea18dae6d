'use strict';
// hybridConfidence: pure JavaScript, runs without the native addon.

const test = require('node:test');
const assert = require('node:assert/strict');

const { hybridConfidence, DEFAULT_WEIGHTS, DEFAULT_RUG_VETO } = require('../confidence.js');

const close = (actual, expected, message) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ''} ${actual} != ${expected}`);

test('defaults: 0.4 adaptive + 0.4 llm + 0.2 model', () => {
  assert.deepEqual(DEFAULT_WEIGHTS, { adaptive: 0.4, llm: 0.4, model: 0.2 });
  assert.equal(DEFAULT_RUG_VETO, 0.5);
  const r = hybridConfidence({ adaptive: 0.5, llm: 0.8, model: 0.3 });
  close(r.confidence, 0.4 * 0.5 + 0.4 * 0.8 + 0.2 * 0.3);
  assert.equal(r.vetoed, false);
  assert.equal(r.rugProb, null);
  assert.deepEqual(r.weights, { adaptive: 0.4, llm: 0.4, model: 0.2 });
});

test('a missing score is dropped and the other weights renormalised', () => {
  for (const missing of [undefined, null]) {
    const r = hybridConfidence({ adaptive: 0.5, llm: missing, model: 0.3 });
    close(r.weights.adaptive, 0.4 / 0.6);
    close(r.weights.model, 0.2 / 0.6);
    assert.equal(r.weights.llm, 0);
    close(r.confidence, (0.4 * 0.5 + 0.2 * 0.3) / 0.6);
  }
  const onlyLlm = hybridConfidence({ llm: 0.7 });
  assert.deepEqual(onlyLlm.weights, { adaptive: 0, llm: 1, model: 0 });
  close(onlyLlm.confidence, 0.7);
});

test('custom weights override the defaults key by key', () => {
  const r = hybridConfidence({ adaptive: 1, llm: 0, model: 0.5 }, { weights: { adaptive: 1, llm: 1, model: 2 } });
  assert.deepEqual(r.weights, { adaptive: 0.25, llm: 0.25, model: 0.5 });
  close(r.confidence, 0.25 * 1 + 0.25 * 0 + 0.5 * 0.5);

  const partial = hybridConfidence({ adaptive: 0.2, llm: 0.4, model: 1 }, { weights: { model: 0.4 } });
  close(partial.weights.model, 0.4 / 1.2);
  close(partial.confidence, (0.4 * 0.2 + 0.4 * 0.4 + 0.4 * 1) / 1.2);

  // A zero weight on a present score is allowed while another weight is positive.
  const zero = hybridConfidence({ adaptive: 0.9, llm: 0.1 }, { weights: { llm: 0 } });
  assert.deepEqual(zero.weights, { adaptive: 1, llm: 0, model: 0 });
  close(zero.confidence, 0.9);
});

test('a prediction object: profitableProb is the score, rugProb feeds the veto', () => {
  const prediction = { profitableProb: 0.6, maxProfit: 1.2, rugProb: 0.1, modelVersion: 'v1' };
  const r = hybridConfidence({ adaptive: 0.5, llm: 0.5, model: prediction });
  close(r.confidence, 0.4 * 0.5 + 0.4 * 0.5 + 0.2 * 0.6);
  assert.equal(r.rugProb, 0.1);
  assert.equal(r.vetoed, false);
});

test('rug veto at and above the threshold, not below', () => {
  const input = (rugProb) => ({ adaptive: 0.9, llm: 0.9, model: { profitableProb: 0.9, rugProb } });
  const at = hybridConfidence(input(0.5));
  assert.equal(at.vetoed, true);
  assert.equal(at.confidence, 0);
  assert.equal(at.rugProb, 0.5);
  assert.deepEqual(at.weights, { adaptive: 0.4, llm: 0.4, model: 0.2 });
  assert.equal(hybridConfidence(input(0.75)).vetoed, true);
  const below = hybridConfidence(input(0.4999));
  assert.equal(below.vetoed, false);
  close(below.confidence, 0.9);

  // A custom threshold; an explicit `rug` overrides the prediction's rugProb.
  assert.equal(hybridConfidence(input(0.3), { rugVeto: 0.3 }).vetoed, true);
  assert.equal(hybridConfidence(input(0.29), { rugVeto: 0.3 }).vetoed, false);
  assert.equal(hybridConfidence({ ...input(0.1), rug: 0.6 }).vetoed, true);
  assert.equal(hybridConfidence({ adaptive: 0.5, rug: 0.49 }).vetoed, false);
  // rugVeto 0 vetoes every token with a known rug probability, none without one.
  assert.equal(hybridConfidence(input(0), { rugVeto: 0 }).vetoed, true);
  assert.equal(hybridConfidence({ adaptive: 0.5 }, { rugVeto: 0 }).vetoed, false);
});

test('scores outside [0, 1] or not finite are RangeErrors naming the score', () => {
  for (const [name, bad] of [['adaptive', 1.01], ['llm', -0.1], ['adaptive', NaN], ['llm', Infinity]]) {
    assert.throws(() => hybridConfidence({ adaptive: 0.5, llm: 0.5, [name]: bad }),
      (e) => e instanceof RangeError && e.message.includes(name) && e.code === 'ERR_OUT_OF_RANGE');
  }
  assert.throws(() => hybridConfidence({ model: 2 }), { name: 'RangeError', message: /model/ });
  assert.throws(() => hybridConfidence({ model: { profitableProb: NaN } }),
    { name: 'RangeError', message: /model\.profitableProb/ });
  assert.throws(() => hybridConfidence({ model: { profitableProb: 0.5, rugProb: 1.5 } }),
    { name: 'RangeError', message: /model\.rugProb/ });
  assert.throws(() => hybridConfidence({ adaptive: 0.5, rug: -1 }), { name: 'RangeError', message: /rug/ });
});

test('wrong types and unknown keys are TypeErrors', () => {
  assert.throws(() => hybridConfidence({ adaptive: '0.5' }), { name: 'TypeError', message: /adaptive/ });
  assert.throws(() => hybridConfidence({ model: { maxProfit: 1 } }), { name: 'TypeError', message: /profitableProb/ });
  assert.throws(() => hybridConfidence({ adaptve: 0.5 }), { name: 'TypeError', message: /adaptve/ });
  assert.throws(() => hybridConfidence({ adaptive: 0.5 }, { weight: {} }), { name: 'TypeError', message: /weight/ });
  assert.throws(() => hybridConfidence({ adaptive: 0.5 }, { weights: { LLM: 1 } }), { name: 'TypeError', message: /LLM/ });
  assert.throws(() => hybridConfidence(null), TypeError);
  assert.throws(() => hybridConfidence(0.5), TypeError);
});

test('weights must be finite and >= 0, and not all zero among the present scores', () => {
  for (const bad of [-0.1, NaN, Infinity]) {
    assert.throws(() => hybridConfidence({ adaptive: 0.5 }, { weights: { llm: bad } }),
      { name: 'RangeError', message: /weights\.llm/ });
  }
  assert.throws(() => hybridConfidence({ adaptive: 0.5, llm: 0.5 }, { weights: { adaptive: 0, llm: 0 } }),
    { name: 'RangeError', message: /all zero/ });
  // Zero weights on absent scores only are fine.
  assert.equal(hybridConfidence({ model: 0.5 }, { weights: { adaptive: 0, llm: 0 } }).confidence, 0.5);
});

test('rugVeto must be in [0, 1]', () => {
  for (const bad of [-0.01, 1.01, NaN]) {
    assert.throws(() => hybridConfidence({ adaptive: 0.5 }, { rugVeto: bad }), { name: 'RangeError', message: /rugVeto/ });
  }
  assert.equal(hybridConfidence({ adaptive: 0.5 }, { rugVeto: 1 }).vetoed, false);
});

test('no score at all is a RangeError', () => {
  assert.throws(() => hybridConfidence({}), { name: 'RangeError', message: /no score/ });
  assert.throws(() => hybridConfidence({ adaptive: null, llm: undefined, model: null }), RangeError);
  assert.throws(() => hybridConfidence({ rug: 0.1 }), RangeError);
});

test('index.js re-exports hybridConfidence without loading the addon', () => {
  const index = require('../index.js');
  assert.equal(index.hybridConfidence, hybridConfidence);
});
