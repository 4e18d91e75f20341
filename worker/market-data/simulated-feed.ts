// A built-in market: candles computed from (symbol, time) alone, so every worker sees the same ones (ADR 034).
import { RESOLUTION_MS, SIMULATED_SOURCE, type Candle, type Resolution } from "../../db/contracts/domain";
import { windowStart } from "./market-data";
import type { CandleUpstream } from "./upstream";

const MINUTE = 60_000;
const MINUTES_PER_YEAR = 525_600;
/**
 * Octave k has nodes every 2^k minutes. The coarsest (2^16 minutes ≈ 45 days) bounds how far a price
 * wanders from its base: about ±30 % for BTC, like a quiet quarter, never a drift to zero.
 */
const OCTAVES = 17;
const AMPLITUDE = Array.from({ length: OCTAVES }, (_, k) => Math.sqrt(2 ** k));
const INVERSE_SPACING = Array.from({ length: OCTAVES }, (_, k) => 2 ** -k);
/** Fat tails only in the octaves up to 16 minutes: shocks, not regime shifts of a coarse octave. */
const FAT_TAIL_OCTAVES = 5;
/** Measured so the variance of log returns over L minutes is ≈ σ²·L from 1 minute to 1 day (sqrt-time scaling). */
const NOISE_NORM = 1.18;
const GAP_PROBABILITY = 0.02;

interface SymbolProfile {
  seed: number;
  logBase: number;
  /** Volatility of log price per minute. */
  sigmaMinute: number;
  /** Traded notional (quote currency) per minute. */
  notionalPerMinute: number;
}

const KNOWN: Record<string, { base: number; annualVol: number; notionalPerMinute: number }> = {
  "BTC/USDT": { base: 60_000, annualVol: 0.6, notionalPerMinute: 2_000_000 },
  "ETH/USDT": { base: 3_000, annualVol: 0.75, notionalPerMinute: 800_000 },
  "SOL/USDT": { base: 150, annualVol: 1.0, notionalPerMinute: 200_000 },
};

/** lowbias32 (Chris Wellons): a cheap 32-bit mixer with good avalanche, enough for market noise. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A uniform number in [0, 1) that depends only on its three integer inputs. */
function unit(seed: number, stream: number, index: number): number {
  return mix(seed ^ mix(Math.imul(stream, 0x9e3779b1) ^ mix(index | 0))) / 4_294_967_296;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function profileOf(symbol: string): SymbolProfile {
  const seed = fnv1a(symbol);
  const known = KNOWN[symbol];
  const base = known?.base ?? 10 ** (-1 + 4 * unit(seed, 1, 0));
  const annualVol = known?.annualVol ?? 0.8 + 0.6 * unit(seed, 2, 0);
  const notionalPerMinute = known?.notionalPerMinute ?? 20_000 + 80_000 * unit(seed, 3, 0);
  return {
    seed,
    logBase: Math.log(base),
    sigmaMinute: annualVol / Math.sqrt(MINUTES_PER_YEAR),
    notionalPerMinute,
  };
}

/**
 * Log price at minute boundaries: the sum over octaves of linearly interpolated value noise with
 * amplitude √spacing, which behaves like a random walk (variance ∝ lag) yet is computable at any
 * minute without history. It depends on the minute, not the resolution, so a 1h close equals the 1m
 * close at the same instant. The walker keeps each octave's two current nodes, so a window of
 * consecutive candles hashes mostly the fine octaves.
 */
function createLogPricePath(profile: SymbolProfile): (minute: number) => number {
  const keys = Array.from({ length: OCTAVES }, (_, k) => mix(profile.seed ^ Math.imul(k + 1, 0x9e3779b1)));
  const cachedIndex = new Array<number>(OCTAVES).fill(Number.NaN);
  const left = new Array<number>(OCTAVES).fill(0);
  const right = new Array<number>(OCTAVES).fill(0);
  // Uniform in [-1, 1]; in the fine octaves one node in 256 is four times larger, for fat tails.
  const node = (k: number, index: number) => {
    const h = mix(mix((index | 0) ^ keys[k]) ^ profile.seed);
    const value = (2 * (h >>> 8)) / 16_777_216 - 1;
    return k < FAT_TAIL_OCTAVES && (h & 0xff) === 0 ? 4 * value : value;
  };
  return (minute) => {
    let sum = 0;
    for (let k = 0; k < OCTAVES; k++) {
      const position = minute * INVERSE_SPACING[k];
      const index = Math.floor(position);
      if (index !== cachedIndex[k]) {
        left[k] = index === cachedIndex[k] + 1 ? right[k] : node(k, index);
        right[k] = node(k, index + 1);
        cachedIndex[k] = index;
      }
      sum += AMPLITUDE[k] * (left[k] + (right[k] - left[k]) * (position - index));
    }
    return profile.logBase + (profile.sigmaMinute * sum) / NOISE_NORM;
  };
}

const RESOLUTION_STREAM: Record<Resolution, number> = {
  "1m": 1,
  "5m": 2,
  "15m": 3,
  "1h": 4,
  "4h": 5,
  "1d": 6,
};

/** The window of candles, oldest first, the last closing at `closeTime`: synchronous, for backtests and benches. */
export function simulatedCandles(
  symbol: string,
  resolution: Resolution,
  closeTime: number,
  count: number,
): Candle[] {
  const start = windowStart(resolution, closeTime, count);
  const ms = RESOLUTION_MS[resolution];
  const minutes = ms / MINUTE;
  const profile = profileOf(symbol);
  const sigmaCandle = profile.sigmaMinute * Math.sqrt(minutes);
  const resolutionKey = mix(profile.seed ^ Math.imul(RESOLUTION_STREAM[resolution], 0x85ebca6b));
  const candles: Candle[] = new Array(count);
  const logPriceAt = createLogPricePath(profile);
  let previousLog = logPriceAt(start / MINUTE);
  for (let i = 0; i < count; i++) {
    const time = start + i * ms;
    const index = time / ms;
    const closeLog = logPriceAt((time + ms) / MINUTE);
    const candleHash = mix(mix(index | 0) ^ resolutionKey);
    const u = (j: number) => mix(candleHash + Math.imul(j, 0x9e3779b1)) / 4_294_967_296;
    // Most candles open at the previous close; a few gap by up to half a candle's volatility.
    const gap = u(0) < GAP_PROBABILITY ? (2 * u(1) - 1) * 0.5 * sigmaCandle : 0;
    const openLog = previousLog + gap;
    const topLog = Math.max(openLog, closeLog) - Math.log(1 - u(2)) * 0.3 * sigmaCandle;
    const bottomLog = Math.min(openLog, closeLog) + Math.log(1 - u(3)) * 0.3 * sigmaCandle;
    const close = Math.exp(closeLog);
    const activity = 1 + Math.abs(closeLog - openLog) / sigmaCandle;
    candles[i] = {
      time,
      open: Math.exp(openLog),
      high: Math.exp(topLog),
      low: Math.exp(bottomLog),
      close,
      volume: ((profile.notionalPerMinute * minutes) / close) * (0.5 + u(4)) * activity,
    };
    previousLog = closeLog;
  }
  return candles;
}

/** The simulated market as the candle store's upstream (MARKET_DATA=simulated): never late, never a hole. */
export const simulatedUpstream: CandleUpstream = {
  source: SIMULATED_SOURCE,
  closedSince: async (symbol, resolution, from, closeTime) => ({
    candles: simulatedCandles(symbol, resolution, closeTime, (closeTime - from) / RESOLUTION_MS[resolution]),
    movedOn: true,
  }),
};
