// The coordinator's market data: windows read from the candle store; what the store lacks is fetched
// from the source by one worker per market at a time, gap-filled and stored for every other reader.
import { marketDataLockKey } from "../../db/contracts/cache-keys";
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import type { Lock } from "../../db/infra/lock";
import { withLock } from "../../db/infra/with-lock";
import type { Db } from "../../db/store/client";
import { candleBefore, insertCandles, readCandles, type Market } from "../../db/store/queries/candles";
import { PAGE_LIMIT } from "./ccxt-upstream.server";
import { fillGaps } from "./fill-gaps";
import { windowStart, type MarketData } from "./market-data";
import { UpstreamError, type CandleUpstream } from "./upstream";

/** The just-closed candle was not published within the wait budget, or the source kept failing. */
export class CandleNotReadyError extends Error {
  override name = "CandleNotReadyError";
}

export interface StoredFeedOptions {
  db: Db;
  lock: Lock;
  upstream: CandleUpstream;
  /** Real ms a window may wait for a late candle or a failing source before the execution fails. */
  waitBudgetMs?: number;
  /** First pause between attempts; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Completed windows kept in memory: 100 strategies on one market at one close read the store once. */
  cacheSize?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const FETCH_LOCK_TTL_MS = 30_000;
/** One page less the candle in progress, which says the exchange has moved on past the close. */
const BACKFILL_CANDLES = PAGE_LIMIT - 1;

export function createStoredFeed(options: StoredFeedOptions): MarketData {
  const { db, lock, upstream } = options;
  const waitBudgetMs = options.waitBudgetMs ?? 15_000;
  const backoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  const cacheSize = options.cacheSize ?? 256;
  const sleep = options.sleep ?? wait;
  const now = options.now ?? Date.now;
  const source = upstream.source;
  // Insertion-ordered: re-inserting on a hit keeps the least recently used first.
  const cache = new Map<string, Candle[]>();
  const inFlight = new Map<string, Promise<Candle[]>>();

  const complete = (rows: Candle[], start: number, closeTime: number, ms: number) =>
    rows.length === (closeTime - start) / ms && rows.at(-1)?.time === closeTime - ms;

  /**
   * Under the market's lock: fetch from the first candle the store lacks up to the close, fill the
   * holes, store. True when the window is complete now; false when the last candle is late.
   */
  async function fetchMissing(market: Market, start: number, closeTime: number, ms: number) {
    const stored = await readCandles(db, market, start, closeTime);
    if (complete(stored, start, closeTime, ms)) return true;
    let from = start;
    while (stored.some((c) => c.time === from)) from += ms;
    // A store without the window's start gets a whole page (one request, whatever its length), so the
    // longer windows of other strategies on this market find their history too.
    if (from === start) from = Math.min(start, closeTime - BACKFILL_CANDLES * ms);
    const [fetched, previous] = await Promise.all([
      upstream.closedSince(market.symbol, market.resolution as Resolution, from, closeTime),
      candleBefore(db, market, from),
    ]);
    // Without a newer candle at the source, its newest row may still be in progress by the exchange's
    // clock (ours may run ahead of it) and a missing last candle is late, not a hole: store neither.
    const until = fetched.movedOn ? closeTime : (fetched.candles.at(-1)?.time ?? from);
    await insertCandles(db, market, fillGaps(fetched.candles, from, until, ms, previous));
    return until === closeTime;
  }

  async function loadWindow(symbol: string, resolution: Resolution, closeTime: number, count: number) {
    const ms = RESOLUTION_MS[resolution];
    const start = windowStart(resolution, closeTime, count);
    const market = { source, symbol, resolution };
    const deadline = now() + waitBudgetMs;
    let lastProblem = "the candle has not been published yet";
    for (let attempt = 0; ; attempt++) {
      const rows = await readCandles(db, market, start, closeTime);
      if (complete(rows, start, closeTime, ms)) return rows.map(stripFilled);
      try {
        const outcome = await withLock(lock, marketDataLockKey(market), FETCH_LOCK_TTL_MS, () =>
          fetchMissing(market, start, closeTime, ms),
        );
        // Another worker is fetching this market: its rows appear in the store.
        if (outcome.acquired && outcome.value) {
          const filledRows = await readCandles(db, market, start, closeTime);
          // A market younger than the window has no candles to copy before its first one.
          if (filledRows.at(-1)?.time === closeTime - ms) return filledRows.map(stripFilled);
        }
      } catch (error) {
        if (!(error instanceof UpstreamError) || !error.retryable) throw error;
        lastProblem = error.message;
      }
      if (now() >= deadline) {
        throw new CandleNotReadyError(
          `${source} ${symbol} ${resolution}: no candle closing at ${new Date(closeTime).toISOString()} ` +
            `after ${Math.round(waitBudgetMs / 1000)} s (${lastProblem}).`,
        );
      }
      await sleep(Math.min(maxBackoffMs, backoffMs * 2 ** attempt, Math.max(0, deadline - now())));
    }
  }

  return {
    source,
    async closedCandles(symbol, resolution, closeTime, count) {
      const key = `${symbol}|${resolution}|${closeTime}|${count}`;
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit.slice();
      }
      let pending = inFlight.get(key);
      if (!pending) {
        pending = loadWindow(symbol, resolution, closeTime, count).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const candles = await pending;
      cache.set(key, candles);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      return candles.slice();
    },
  };
}

const stripFilled = ({ time, open, high, low, close, volume }: Candle): Candle => ({
  time,
  open,
  high,
  low,
  close,
  volume,
});
