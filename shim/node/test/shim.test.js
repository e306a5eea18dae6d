'use strict';
// The native addon against a real export directory: SNIPE_TEST_MODEL_DIR (model.pt,
// scalers.json, metadata.json). Skipped when it is unset. The candles are a deterministic
// synthetic random walk (test-support/synthetic.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const { syntheticCandles, asTuples, syntheticContext } = require('../test-support/synthetic.js');

const MODEL_DIR = process.env.SNIPE_TEST_MODEL_DIR;
const skip = MODEL_DIR ? false : 'SNIPE_TEST_MODEL_DIR is not set (an export directory to serve)';

// Loaded in the tests, not at the top: a missing build must not fail a skipped file.
const snipe = () => require('../index.js');
const open = (options = {}) => new (snipe().Shim)(MODEL_DIR, { watch: false, ...options });

const CANDLES = syntheticCandles(300, 1);
const CONTEXT = syntheticContext();

function assertPrediction(p) {
  assert.deepEqual(Object.keys(p).sort(), ['maxProfit', 'modelVersion', 'profitableProb', 'rugProb']);
  for (const name of ['profitableProb', 'rugProb']) {
    assert.ok(p[name] >= 0 && p[name] <= 1, `${name} = ${p[name]} is not in [0, 1]`);
  }
  assert.ok(Number.isFinite(p.maxProfit), `maxProfit = ${p.maxProfit}`);
  assert.equal(typeof p.modelVersion, 'string');
  assert.ok(p.modelVersion.length > 0);
}

// Batched and single predictions run different float32 kernels: equal to ~1e-7, not bitwise.
function assertSamePrediction(actual, expected) {
  for (const name of ['profitableProb', 'maxProfit', 'rugProb']) {
    assert.ok(Math.abs(actual[name] - expected[name]) <= 1e-5, `${name}: ${actual[name]} vs ${expected[name]}`);
  }
  assert.equal(actual.modelVersion, expected.modelVersion);
}

// A copy of the candles with `change` applied to copies of the bars.
function edited(change) {
  const candles = CANDLES.map((c) => ({ ...c }));
  change(candles);
  return candles;
}

// Asserts that `promise` rejects and predictSync throws with `code` and a message matching
// every pattern.
async function assertRefused(shim, candles, context, code, patterns) {
  const matches = (e) => {
    assert.equal(e.code, code, e.message);
    for (const pattern of patterns) assert.match(e.message, pattern);
    return true;
  };
  await assert.rejects(shim.predict(candles, context), matches);
  assert.throws(() => shim.predictSync(candles, context), matches);
}

test('predict resolves with probabilities in [0, 1] and the serving model version', { skip }, async () => {
  const shim = open();
  try {
    const p = await shim.predict(CANDLES, CONTEXT);
    assertPrediction(p);
    assert.equal(p.modelVersion, shim.modelVersion);
    assert.equal(p.modelVersion, path.basename(path.resolve(MODEL_DIR)));
  } finally {
    shim.close();
  }
});

test('status and the getters describe the serving model', { skip }, () => {
  const shim = open();
  try {
    const s = shim.status();
    assert.equal(s.serving, shim.modelVersion);
    assert.equal(s.failedVersion, null);
    assert.equal(s.lastError, null);
    assert.equal(s.loads, 1);
    assert.equal(s.failures, 0);
    assert.equal(s.window, shim.window);
    assert.equal(s.minCandles, shim.minCandles);
    assert.ok(shim.window > 0 && shim.minCandles >= shim.window);
    assert.equal(shim.closed, false);
    assert.equal(snipe().abiVersion, 1);
  } finally {
    shim.close();
  }
});

test('predict and predictSync give identical numbers; tuples equal objects', { skip }, async () => {
  const shim = open();
  try {
    const async = await shim.predict(CANDLES, CONTEXT);
    assert.deepEqual(shim.predictSync(CANDLES, CONTEXT), async);
    assert.deepEqual(await shim.predict(asTuples(CANDLES), CONTEXT), async);
  } finally {
    shim.close();
  }
});

// Runs `total` predictions through `predict`, `depth` in flight at a time (a finished one
// issues the next), and records, in order, each resolution and the first setImmediate.
async function pipeline(predict, total, depth) {
  const events = [];
  let ticks = 0;
  let spinning = true;
  const spin = () => {
    ticks += 1;
    if (spinning) setImmediate(spin);
  };
  setImmediate(() => events.push('immediate'));
  setImmediate(spin);
  const predictions = [];
  await new Promise((resolve, reject) => {
    let issued = 0;
    const issue = () => {
      issued += 1;
      predict().then((p) => {
        events.push('prediction');
        predictions.push(p);
        if (issued < total) issue();
        else if (predictions.length === total) resolve();
      }, reject);
    };
    for (let i = 0; i < depth; i += 1) issue();
  });
  spinning = false;
  return { events, ticks, predictions };
}

test('predict does not block the event loop', { skip }, async () => {
  const shim = open();
  try {
    // 50 predictions, 8 pending at any time: were predict() to run the model on the JS thread
    // (or settle in a microtask), every resolution would come before the first immediate.
    const { events, ticks, predictions } = await pipeline(() => shim.predict(CANDLES, CONTEXT), 50, 8);
    assert.equal(predictions.length, 50);
    assert.ok(events.indexOf('immediate') < events.lastIndexOf('prediction'), events.join(','));
    assert.ok(ticks > 1, `the event loop turned ${ticks} time(s) while 50 predictions ran`);
    for (const p of predictions) assert.deepEqual(p, predictions[0]);
    // The check itself: the same pipeline over predictSync never lets the loop turn.
    const blocking = await pipeline(async () => shim.predictSync(CANDLES, CONTEXT), 50, 8);
    assert.equal(blocking.events.indexOf('immediate'), -1);
  } finally {
    shim.close();
  }
});

test('predictBatch: a bad token gets an error, the others equal single predictions', { skip }, async () => {
  const shim = open();
  try {
    const other = syntheticCandles(300, 2);
    const results = await shim.predictBatch([
      { candles: CANDLES, context: CONTEXT },
      { candles: CANDLES.slice(0, 5), context: CONTEXT },
      { candles: other, context: CONTEXT },
    ]);
    assert.equal(results.length, 3);
    assert.equal(results[1].code, 'ERR_SNIPE_INPUT');
    assert.match(results[1].error, /token 1/);
    assert.match(results[1].error, new RegExp(`${shim.minCandles}`));
    assertSamePrediction(results[0], await shim.predict(CANDLES, CONTEXT));
    assertSamePrediction(results[2], await shim.predict(other, CONTEXT));
    assert.deepEqual(await shim.predictBatch([]), []);
  } finally {
    shim.close();
  }
});

test('bad inputs reject with ERR_SNIPE_INPUT and a message naming the problem', { skip }, async () => {
  const shim = open();
  try {
    await assertRefused(shim, CANDLES.slice(0, 10), CONTEXT, 'ERR_SNIPE_INPUT',
      [new RegExp(`\\b${shim.minCandles}\\b`), /10 candles/]);
    await assertRefused(shim, edited((c) => { c[200].close = NaN; }), CONTEXT, 'ERR_SNIPE_INPUT',
      [/candle 200/, /non_finite/]);
    await assertRefused(shim, edited((c) => { [c[100].timestamp, c[101].timestamp] = [c[101].timestamp, c[100].timestamp]; }),
      CONTEXT, 'ERR_SNIPE_INPUT', [/candle 101/, /timestamp/]);
    const { top10_holder_share: _, ...missing } = CONTEXT;
    await assertRefused(shim, CANDLES, missing, 'ERR_SNIPE_INPUT', [/missing context field 'top10_holder_share'/]);
    await assertRefused(shim, CANDLES, { ...CONTEXT, holders: 3 }, 'ERR_SNIPE_INPUT', [/unknown context field 'holders'/]);
    // null and undefined are "unknown", not errors.
    assertPrediction(shim.predictSync(CANDLES, { ...CONTEXT, lp_burned: undefined, age_hours: null }));
  } finally {
    shim.close();
  }
});

test('malformed arguments are TypeErrors naming the index and the field', { skip }, async () => {
  const shim = open();
  try {
    const typeError = (pattern) => (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE' && pattern.test(e.message);
    await assert.rejects(shim.predict(edited((c) => { delete c[7].volume; }), CONTEXT),
      typeError(/candles\[7\]\.volume is missing/));
    await assert.rejects(shim.predict(edited((c) => { c[3].high = '1.0'; }), CONTEXT),
      typeError(/candles\[3\]\.high must be a number, got string/));
    const tuples = asTuples(CANDLES);
    tuples[4] = tuples[4].slice(0, 5);
    assert.throws(() => shim.predictSync(tuples, CONTEXT), typeError(/candles\[4\] must have 6 elements/));
    assert.throws(() => shim.predictSync([...CANDLES.slice(0, 2), 42], CONTEXT), typeError(/candles\[2\]/));
    assert.throws(() => shim.predictSync('candles', CONTEXT), typeError(/candles must be an array/));
    assert.throws(() => shim.predictSync(CANDLES, null), typeError(/context must be an object/));
    assert.throws(() => shim.predictSync(CANDLES, { ...CONTEXT, age_hours: '1' }), typeError(/context\.age_hours/));
    await assert.rejects(shim.predictBatch([{ candles: CANDLES, context: CONTEXT }, { candles: [[1, 2]], context: CONTEXT }]),
      typeError(/tokens\[1\]\.candles\[0\] must have 6 elements/));
    await assert.rejects(shim.predict(edited((c) => { c[0].timestamp = 1.5; }), CONTEXT),
      (e) => e instanceof RangeError && /candles\[0\]\.timestamp must be an integer/.test(e.message));
  } finally {
    shim.close();
  }
});

test('a missing model directory throws ERR_SNIPE_MODEL; bad options are refused', { skip }, () => {
  const { Shim } = snipe();
  const missing = path.join(MODEL_DIR, 'does-not-exist');
  assert.throws(() => new Shim(missing), (e) => e.code === 'ERR_SNIPE_MODEL' && e.message.includes(missing));
  assert.throws(() => new Shim(42), { name: 'TypeError', message: /modelDir must be a string/ });
  assert.throws(() => new Shim(MODEL_DIR, { intra_op_threads: 2 }), { name: 'TypeError', message: /intra_op_threads/ });
  assert.throws(() => new Shim(MODEL_DIR, { intraOpThreads: 0 }), { name: 'RangeError', message: /intraOpThreads/ });
  assert.throws(() => new Shim(MODEL_DIR, { watch: 'yes' }), { name: 'TypeError', message: /watch/ });
});

test('reload resolves with the status after the swap', { skip }, async () => {
  const shim = open();
  try {
    const status = await shim.reload();
    assert.equal(status.loads, 2);
    assert.equal(status.serving, shim.modelVersion);
    assertPrediction(await shim.predict(CANDLES, CONTEXT));
  } finally {
    shim.close();
  }
});

// A registry-style model directory in a temporary folder: versions v1 and v2 (copies of the
// export) and a `current` symlink to v1.
function registry() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'snipe-shim-test-'));
  for (const version of ['v1', 'v2']) {
    fs.cpSync(MODEL_DIR, path.join(root, version), { recursive: true, dereference: true });
  }
  fs.symlinkSync('v1', path.join(root, 'current'));
  return root;
}

// Points `current` at `version` atomically (a new symlink renamed over the old one).
function pointCurrent(root, version) {
  const next = path.join(root, 'current.next');
  fs.symlinkSync(version, next);
  fs.renameSync(next, path.join(root, 'current'));
}

async function waitFor(condition, what) {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (condition()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('watch: a new `current` is swapped in; a broken version is refused and the old one serves', { skip }, async () => {
  const root = registry();
  const shim = new (snipe().Shim)(root, { watch: true, pollIntervalMs: 20 });
  try {
    assert.equal((await shim.predict(CANDLES, CONTEXT)).modelVersion, 'v1');
    pointCurrent(root, 'v2');
    await waitFor(() => shim.modelVersion === 'v2', 'v2 to serve');
    assert.equal((await shim.predict(CANDLES, CONTEXT)).modelVersion, 'v2');
    assert.equal(shim.status().loads, 2);

    fs.mkdirSync(path.join(root, 'v3'));  // no model.pt, metadata.json, ...
    pointCurrent(root, 'v3');
    await waitFor(() => shim.status().failedVersion === 'v3', 'v3 to be refused');
    const status = shim.status();
    assert.equal(status.serving, 'v2');
    assert.ok(status.failures >= 1);
    assert.ok(status.lastError.length > 0);
    await assert.rejects(shim.reload(), { code: 'ERR_SNIPE_MODEL' });
    assert.equal((await shim.predict(CANDLES, CONTEXT)).modelVersion, 'v2');
  } finally {
    shim.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('close: idempotent, later calls fail with ERR_SNIPE_CLOSED, in-flight work finishes', { skip }, async () => {
  const shim = open({ watch: true, pollIntervalMs: 50 });
  const inFlight = Array.from({ length: 20 }, () => shim.predict(CANDLES, CONTEXT));
  const reloading = shim.reload();
  shim.close();
  shim.close();
  assert.equal(shim.closed, true);
  for (const p of await Promise.all(inFlight)) assertPrediction(p);
  assert.equal((await reloading).loads, 2);

  const closed = { code: 'ERR_SNIPE_CLOSED' };
  await assert.rejects(shim.predict(CANDLES, CONTEXT), closed);
  await assert.rejects(shim.predictBatch([]), closed);
  await assert.rejects(shim.reload(), closed);
  assert.throws(() => shim.predictSync(CANDLES, CONTEXT), closed);
  assert.throws(() => shim.status(), closed);
  assert.throws(() => shim.modelVersion, closed);
});

test('a process exits cleanly with an unclosed watching shim and a collected one', { skip }, () => {
  const script = `
    const { Shim } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))});
    const { syntheticCandles, syntheticContext } = require(${JSON.stringify(path.join(__dirname, '..', 'test-support', 'synthetic.js'))});
    const dir = ${JSON.stringify(MODEL_DIR)};
    (() => { new Shim(dir, { watch: true, pollIntervalMs: 20 }); })();
    globalThis.gc();
    const kept = new Shim(dir, { watch: true, pollIntervalMs: 20 });
    kept.predict(syntheticCandles(300, 3), syntheticContext()).then((p) => console.log('ok', p.modelVersion));
  `;
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, `exit ${child.status} ${child.signal ?? ''}: ${child.stderr}`);
  assert.match(child.stdout, /^ok /);
});

test('hybridConfidence takes a real prediction', { skip }, async () => {
  const { hybridConfidence } = snipe();
  const shim = open();
  try {
    const prediction = await shim.predict(CANDLES, CONTEXT);
    const result = hybridConfidence({ adaptive: 0.6, llm: 0.7, model: prediction }, { rugVeto: 1 });
    assert.equal(result.vetoed, false);
    assert.equal(result.rugProb, prediction.rugProb);
    const expected = 0.4 * 0.6 + 0.4 * 0.7 + 0.2 * prediction.profitableProb;
    assert.ok(Math.abs(result.confidence - expected) < 1e-12);
    const vetoed = hybridConfidence({ adaptive: 0.6, model: prediction }, { rugVeto: prediction.rugProb });
    assert.equal(vetoed.vetoed, true);
    assert.equal(vetoed.confidence, 0);
  } finally {
    shim.close();
  }
});
