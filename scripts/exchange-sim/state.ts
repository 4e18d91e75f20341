// The simulator's mutable state: its markets, the faults switched on, request counts and the weight budget.
import type { CandleSource } from "./candle-source";

export interface Gap {
  /** A unified symbol ("BTC/USDT"), or every symbol when absent. */
  symbol?: string;
  /** Open times in [from, to] have no candle: nothing traded. */
  from: number;
  to: number;
}

export interface Faults {
  /** Added before every answer. */
  latencyMs: number;
  /** The next N requests (control endpoints excepted) get HTTP 503. */
  fail5xx: number;
  /** The next N requests get Binance's 429 rate-limit answer. */
  rateLimit: number;
  /** A candle that just closed is shown (closed) only this long after its close; until then klines end before it. */
  lateMs: number;
  gaps: Gap[];
}

export const NO_FAULTS: Faults = { latencyMs: 0, fail5xx: 0, rateLimit: 0, lateMs: 0, gaps: [] };

export interface SimState {
  source: CandleSource;
  /** Unified symbols served, e.g. BTC/USDT. */
  symbols: string[];
  now: () => number;
  faults: Faults;
  /** Requests seen per path (control endpoints excluded). */
  requests: Record<string, number>;
  /** Request weight used in the current minute, as Binance reports it. */
  weight: { minute: number; used: number };
}

/** Binance spot's REQUEST_WEIGHT limit per minute. */
export const WEIGHT_LIMIT = 6000;

export function createState(options: {
  source: CandleSource;
  symbols: string[];
  now?: () => number;
  faults?: Partial<Faults>;
}): SimState {
  return {
    source: options.source,
    symbols: options.symbols,
    now: options.now ?? Date.now,
    faults: { ...NO_FAULTS, ...options.faults },
    requests: {},
    weight: { minute: 0, used: 0 },
  };
}

/** Adds a request's weight to the current minute's budget; returns the weight used so far this minute. */
export function spendWeight(state: SimState, weight: number): number {
  const minute = Math.floor(state.now() / 60_000);
  if (state.weight.minute !== minute) state.weight = { minute, used: 0 };
  state.weight.used += weight;
  return state.weight.used;
}
