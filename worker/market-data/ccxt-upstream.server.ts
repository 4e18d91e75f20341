// An exchange as the candle store's upstream, through ccxt's OHLCV: paged, closed candles only, errors classified.
import ccxt, { type Exchange } from "ccxt";
import { z } from "zod";
import { RESOLUTION_MS } from "../../db/contracts/domain";
import { UpstreamError, type CandleUpstream } from "./upstream";

/** ccxt's OHLCV row: [open time, open, high, low, close, volume]. */
const ohlcvSchema = z.array(
  z.tuple([z.number().int(), z.number(), z.number(), z.number(), z.number(), z.number().nullable()]),
);

/** Binance's klines page limit. */
export const PAGE_LIMIT = 1000;

/** Timeouts, resets, 5xx and rate limits (ccxt's OperationFailed family) may pass; a bad symbol will not. */
export function classifyExchangeError(error: unknown, what: string): UpstreamError {
  const retryable = error instanceof ccxt.OperationFailed;
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError(`${what}: ${message}`, retryable, { cause: error });
}

export function createCcxtUpstream(
  exchange: Pick<Exchange, "id" | "fetchOHLCV" | "loadMarkets" | "fetchTime">,
): CandleUpstream {
  // ccxt keeps a failed loadMarkets() promise and rejects every later call with it; until the markets
  // have loaded once, each attempt asks afresh (reload = true).
  let marketsLoaded = false;
  const what = (symbol: string, resolution: string) => `${exchange.id} ${symbol} ${resolution} candles`;
  return {
    source: exchange.id,
    async serverTime() {
      try {
        const time = await exchange.fetchTime();
        if (typeof time !== "number") throw new Error("the exchange answered no server time");
        return time;
      } catch (error) {
        throw classifyExchangeError(error, `${exchange.id} server time`);
      }
    },
    async closedSince(symbol, resolution, from, closeTime) {
      const ms = RESOLUTION_MS[resolution];
      const candles = [];
      let movedOn = false;
      let since = from;
      if (!marketsLoaded) {
        try {
          await exchange.loadMarkets(true);
        } catch (error) {
          throw classifyExchangeError(error, what(symbol, resolution));
        }
        marketsLoaded = true;
      }
      // Up to the close itself: only a candle opening there says the one before it has closed.
      while (since <= closeTime) {
        // One more than the closed candles still wanted: the one in progress says the market moved on.
        const limit = Math.min(PAGE_LIMIT, (closeTime - since) / ms + 1);
        let raw: unknown;
        try {
          raw = await exchange.fetchOHLCV(symbol, resolution, since, limit);
        } catch (error) {
          throw classifyExchangeError(error, what(symbol, resolution));
        }
        const rows = ohlcvSchema.parse(raw);
        for (const [time, open, high, low, close, volume] of rows) {
          if (time >= closeTime) movedOn = true;
          else if (time >= since) candles.push({ time, open, high, low, close, volume: volume ?? 0 });
        }
        const newest = rows.at(-1)?.[0];
        if (movedOn || rows.length < limit || newest === undefined || newest < since) break;
        since = newest + ms;
      }
      return { candles, movedOn };
    },
  };
}
