// Market data from an exchange through ccxt: closed candles only, retried until the just-closed one appears, cached.
import type { Exchange } from "ccxt";
import { z } from "zod";
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import { windowStart, type MarketData } from "./market-data";

/** ccxt's OHLCV row: [open time, open, high, low, close, volume]. */
const ohlcvSchema = z.array(
  z.tuple([z.number().int(), z.number(), z.number(), z.number(), z.number(), z.number().nullable()]),
);

/** Binance's klines limit; one request serves a window. */
export const MAX_WINDOW = 1000;

/** The exchange has not published the candle closing at the requested time within the retry budget. */
export class CandleNotReadyError extends Error {
  override name = "CandleNotReadyError";
}

export interface CcxtFeedOptions {
  exchange: Pick<Exchange, "fetchOHLCV">;
  /** Extra attempts after the first, each after `backoffMs` × 2^attempt. */
  retries?: number;
  backoffMs?: number;
  cacheSize?: number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createCcxtFeed(options: CcxtFeedOptions): MarketData {
  const { exchange } = options;
  const retries = options.retries ?? 4;
  const backoffMs = options.backoffMs ?? 250;
  const cacheSize = options.cacheSize ?? 256;
  const sleep = options.sleep ?? wait;
  // A Map iterates in insertion order, so re-inserting on a hit makes its first key the least recently used.
  const cache = new Map<string, Candle[]>();

  async function fetchClosed(
    symbol: string,
    resolution: Resolution,
    closeTime: number,
    count: number,
  ): Promise<Candle[] | null> {
    const ms = RESOLUTION_MS[resolution];
    const since = windowStart(resolution, closeTime, count);
    // One more than needed: the exchange may append the candle still in progress.
    const rows = ohlcvSchema.parse(await exchange.fetchOHLCV(symbol, resolution, since, count + 1));
    const closed = rows
      .filter(([time]) => time >= since && time + ms <= closeTime)
      .map(([time, open, high, low, close, volume]) => ({
        time,
        open,
        high,
        low,
        close,
        volume: volume ?? 0,
      }));
    return closed.at(-1)?.time === closeTime - ms ? closed.slice(-count) : null;
  }

  return {
    async closedCandles(symbol, resolution, closeTime, count) {
      if (count > MAX_WINDOW)
        throw new RangeError(`At most ${MAX_WINDOW} candles per window, asked for ${count}.`);
      const key = `${symbol}|${resolution}|${closeTime}|${count}`;
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit.slice();
      }
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
        const candles = await fetchClosed(symbol, resolution, closeTime, count);
        if (candles) {
          cache.set(key, candles);
          if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
          return candles.slice();
        }
      }
      throw new CandleNotReadyError(
        `${symbol} ${resolution}: the candle closing at ${new Date(closeTime).toISOString()} did not appear after ${retries + 1} attempts.`,
      );
    },
  };
}
