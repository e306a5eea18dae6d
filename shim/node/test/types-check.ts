// A compile-only sample of the typings (npm run typecheck); never run. The lines after
// each expect-error directive must stay type errors.
import {
  Shim, hybridConfidence, abiVersion, DEFAULT_WEIGHTS,
  type Candle, type Context, type Prediction, type BatchResult, type ShimStatus,
  type HybridResult, type ShimError,
} from '../index';

async function sample(): Promise<number> {
  const shim = new Shim('/models/snipe', { intraOpThreads: 1, watch: true, pollIntervalMs: 500 });
  const candles: Candle[] = [
    { timestamp: 1_700_000_100, open: 1, high: 1.1, low: 0.9, close: 1.05, volume: 900 },
    [1_700_000_400, 1.05, 1.2, 1, 1.1, 1200],
  ];
  const context: Context = {
    initial_liquidity_usd: 12000, top10_holder_share: 0.4, mint_authority_revoked: true,
    lp_burned: null, creator_previous_launches: 0, age_hours: 0.5,
  };
  const p: Prediction = await shim.predict(candles, context);
  const same: Prediction = shim.predictSync(candles, context);
  const batch: BatchResult[] = await shim.predictBatch([{ candles, context }]);
  for (const item of batch) {
    if ('error' in item) {
      const code: 'ERR_SNIPE_INPUT' | 'ERR_SNIPE_MODEL' | 'ERR_SNIPE_ARGUMENT' | 'ERR_SNIPE_INTERNAL' = item.code;
      void code;
    } else {
      const prob: number = item.profitableProb;
      void prob;
    }
  }
  const status: ShimStatus = await shim.reload();
  const failed: string | null = status.failedVersion;
  const result: HybridResult = hybridConfidence({ adaptive: 0.5, llm: null, model: p }, { weights: { model: 0.3 }, rugVeto: 0.4 });
  hybridConfidence({ model: 0.7 });
  try {
    shim.predictSync([], context);
  } catch (e) {
    const code: string = (e as ShimError).code;
    void code;
  }
  // @ts-expect-error a tuple has six elements
  const short: Candle = [1, 2, 3];
  // @ts-expect-error every context field is required (null when unknown)
  const partial: Context = { initial_liquidity_usd: 1 };
  // @ts-expect-error modelVersion is read-only
  shim.modelVersion = 'v2';
  // @ts-expect-error context values are numbers, booleans or null
  shim.predictSync(candles, { ...context, age_hours: 'old' });
  void short; void partial; void failed; void same;
  shim.close();
  return result.confidence + shim.minCandles + shim.window + abiVersion + DEFAULT_WEIGHTS.llm + (shim.closed ? 1 : 0);
}

void sample;
