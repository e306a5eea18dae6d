'use strict';
// Deterministic synthetic inputs for the addon tests: a random walk of 5-minute candles
// with positive prices, and a complete context. Kept outside test/ so that
// `node --test test/` does not run it as a test file.

const BAR_SECONDS = 300;
const START = 1_700_000_100; // a multiple of 300: a bar boundary

// mulberry32: a small seeded PRNG, uniform in [0, 1).
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` candles {timestamp, open, high, low, close, volume}, oldest first: a geometric
 * random walk from 0.001 (a fresh token's price) with 2% steps.
 */
function syntheticCandles(count = 300, seed = 1) {
  const next = random(seed);
  const candles = [];
  let price = 0.001;
  for (let i = 0; i < count; i += 1) {
    const open = price;
    const close = open * Math.exp((next() - 0.5) * 0.04);
    const high = Math.max(open, close) * (1 + next() * 0.01);
    const low = Math.min(open, close) * (1 - next() * 0.01);
    const volume = 500 + next() * 5000;
    candles.push({ timestamp: START + i * BAR_SECONDS, open, high, low, close, volume });
    price = close;
  }
  return candles;
}

/** The candles as [t, o, h, l, c, v] tuples. */
function asTuples(candles) {
  return candles.map((c) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume]);
}

/** A context with every field, one of them unknown (null). */
function syntheticContext() {
  return {
    initial_liquidity_usd: 12000,
    top10_holder_share: 0.4,
    mint_authority_revoked: 1,
    lp_burned: null,
    creator_previous_launches: 0,
    age_hours: 0.5,
  };
}

module.exports = { syntheticCandles, asTuples, syntheticContext, BAR_SECONDS };
