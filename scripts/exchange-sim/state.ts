// The simulator's mutable state: its markets, accounts and orders, the faults switched on, request counts and the weight budget.
import type { CandleSource } from "./candle-source";
import { emptyLedger, type Ledger } from "./ledger";

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
  /** Added before an order placement or cancel executes. */
  orderLatencyMs: number;
  /** Placements that execute but whose answer is lost: the next N, and then this fraction of the rest. */
  dropAfterExecute: {
    next: number;
    fraction: number;
    /** 0: the connection is destroyed; otherwise the answer comes this late (past a client's timeout). */
    delayMs: number;
  };
  /** The next N placements get HTTP 503 and execute nothing. */
  fail5xxBeforeExecute: number;
  /** The next N placements are refused with this Binance code and message, executing nothing. */
  reject: { next: number; code: number; msg: string };
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  fail5xx: 0,
  rateLimit: 0,
  lateMs: 0,
  gaps: [],
  orderLatencyMs: 0,
  dropAfterExecute: { next: 0, fraction: 0, delayMs: 0 },
  fail5xxBeforeExecute: 0,
  reject: { next: 0, code: -2010, msg: "New order rejected." },
};

export interface SimState {
  source: CandleSource;
  /** Unified symbols served, e.g. BTC/USDT. */
  symbols: string[];
  /** The simulated clock (--time-scale). */
  now: () => number;
  /** The real clock, which signed requests' timestamps follow. */
  wallNow: () => number;
  faults: Faults;
  ledger: Ledger;
  /** Called after every change to the ledger (persists it with --state). */
  ledgerChanged: () => void;
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
  ledger?: Ledger;
  ledgerChanged?: () => void;
}): SimState {
  return {
    source: options.source,
    symbols: options.symbols,
    now: options.now ?? Date.now,
    wallNow: Date.now,
    faults: { ...NO_FAULTS, ...options.faults },
    ledger: options.ledger ?? emptyLedger(),
    ledgerChanged: options.ledgerChanged ?? (() => {}),
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
