// Deterministic, realistic-looking candles (trending and ranging stretches) for validating a strategy without market data.
import type { Candle } from "../../db/contracts/domain";

export interface SampleOptions {
  seed?: number;
  /** Open time of the first candle, epoch ms. Default 2024-01-01T00:00:00Z. */
  start?: number;
  resolutionMs?: number;
  startPrice?: number;
}

/** mulberry32: tiny, fast and the same on every machine, so samples are identical everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function sampleCandles(count = 1000, opts: SampleOptions = {}): Candle[] {
  const rand = mulberry32(opts.seed ?? 20240101);
  const step = opts.resolutionMs ?? 3_600_000;
  const start = opts.start ?? Date.UTC(2024, 0, 1);
  let price = opts.startPrice ?? 42_000;
  const out: Candle[] = [];
  for (let i = 0; i < count; i++) {
    // Slow regime changes (a drift that swings between up, flat and down) plus volatility clustering.
    const drift = 0.0012 * Math.sin((2 * Math.PI * i) / 240) + 0.0004 * Math.sin((2 * Math.PI * i) / 67);
    const vol = 0.004 * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 150) ** 2);
    const open = price;
    const close = open * Math.exp(drift + vol * gaussian(rand));
    const high = Math.max(open, close) * (1 + Math.abs(gaussian(rand)) * vol * 0.6);
    const low = Math.min(open, close) * (1 - Math.abs(gaussian(rand)) * vol * 0.6);
    const volume = 50 + 400 * rand() * (1 + Math.abs(close - open) / (open * vol));
    out.push({
      time: start + i * step,
      open: round2(open),
      high: round2(high),
      low: round2(low),
      close: round2(close),
      volume: Math.round(volume * 1000) / 1000,
    });
    price = close;
  }
  return out;
}
