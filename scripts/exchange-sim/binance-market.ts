// Binance spot's public market-data endpoints, as much of them as ccxt's `binance` class reads.
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import { ORDER_TYPES } from "./ledger";
import { FILTERS, type SpotMarket } from "./matching";
import { formingCandle } from "./price-path";
import { binanceError, json, routeKey, type Routes, type SimResponse } from "./router";
import type { SimState } from "./state";

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

const alignDown = (t: number, ms: number) => Math.floor(t / ms) * ms;
const fixed8 = (n: number) => n.toFixed(8);

export function spotMarket(unified: string): SpotMarket {
  const [base, quote] = unified.split("/");
  return { id: base + quote, base, quote, unified };
}

/** The market a request's `symbol` names, or Binance's error for a missing or unknown one. */
export function requestedMarket(state: SimState, symbol: string | null): SpotMarket | SimResponse {
  if (!symbol)
    return binanceError(
      400,
      -1102,
      "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    );
  const unified = state.symbols.find((s) => spotMarket(s).id === symbol);
  return unified ? spotMarket(unified) : binanceError(400, -1121, "Invalid symbol.");
}

function market(unified: string) {
  const { id, base, quote } = spotMarket(unified);
  return {
    symbol: id,
    status: "TRADING",
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    orderTypes: ORDER_TYPES,
    ocoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: fixed8(FILTERS.tickSize),
        maxPrice: "10000000.00000000",
        tickSize: fixed8(FILTERS.tickSize),
      },
      {
        filterType: "LOT_SIZE",
        minQty: fixed8(FILTERS.minQty),
        maxQty: fixed8(FILTERS.maxQty),
        stepSize: fixed8(FILTERS.stepSize),
      },
      { filterType: "NOTIONAL", minNotional: fixed8(FILTERS.minNotional), applyMinToMarket: true },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
  };
}

/** Binance's kline row: open time, OHLCV as strings, close time, quote volume, trades, taker volumes, ignore. */
export function kline(c: Candle, ms: number) {
  const quoteVolume = (c.volume * c.close).toFixed(8);
  return [
    c.time,
    String(c.open),
    String(c.high),
    String(c.low),
    String(c.close),
    String(c.volume),
    c.time + ms - 1,
    quoteVolume,
    c.volume > 0 ? 100 : 0,
    String(c.volume / 2),
    (c.volume * c.close * 0.5).toFixed(8),
    "0",
  ];
}

function isGap(state: SimState, symbol: string, time: number) {
  return state.faults.gaps.some((g) => (g.symbol ?? symbol) === symbol && time >= g.from && time <= g.to);
}

/** The newest open time shown: the candle in progress, or while the last close is still "late" the one before it. */
function newestOpen(state: SimState, now: number, ms: number) {
  const inProgress = alignDown(now, ms);
  return now - inProgress < state.faults.lateMs ? inProgress - 2 * ms : inProgress;
}

function klines(state: SimState, query: URLSearchParams): SimResponse {
  const found = requestedMarket(state, query.get("symbol"));
  if (!("unified" in found)) return found;
  const symbol = found.unified;
  const resolution = query.get("interval") as Resolution | null;
  if (!resolution || !state.source.resolutions.includes(resolution))
    return binanceError(400, -1120, "Invalid interval.");
  const numbers = ["startTime", "endTime", "limit"].map((name) => {
    const raw = query.get(name);
    return raw === null ? null : /^\d+$/.test(raw) ? Number(raw) : NaN;
  });
  const badIndex = numbers.findIndex((n) => Number.isNaN(n));
  if (badIndex >= 0)
    return binanceError(
      400,
      -1100,
      `Illegal characters found in parameter '${["startTime", "endTime", "limit"][badIndex]}'; legal range is '^[0-9]{1,20}$'.`,
    );
  const [startTime, endTime, limitParam] = numbers;
  const limit = Math.min(Math.max(limitParam ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const ms = RESOLUTION_MS[resolution];
  const now = state.now();
  const end = alignDown(Math.min(newestOpen(state, now, ms), endTime ?? Infinity), ms);
  // Without startTime Binance answers the newest `limit` candles up to endTime.
  const start = startTime === null ? end - (limit - 1) * ms : Math.ceil(startTime / ms) * ms;
  const out: Candle[] = [];
  // Gaps are left out, and Binance still fills `limit` rows from after them, so read on past each gap.
  for (let cursor = start; cursor <= end && out.length < limit;) {
    const chunkEnd = Math.min(end, cursor + (limit - out.length - 1) * ms);
    out.push(
      ...state.source
        .candles(symbol, resolution, cursor, chunkEnd)
        .filter((c) => !isGap(state, symbol, c.time)),
    );
    cursor = chunkEnd + ms;
  }
  // As on Binance, the candle in progress is served as formed so far, never with its final figures.
  const last = out.at(-1);
  if (last && last.time + ms > now)
    out[out.length - 1] = formingCandle(state.source, symbol, resolution, last, now);
  return json(out.map((c) => kline(c, ms)));
}

export function binanceMarketRoutes(state: SimState): Routes {
  return {
    [routeKey("GET", "/api/v3/ping")]: () => json({}),
    [routeKey("GET", "/api/v3/time")]: () => json({ serverTime: state.now() }),
    [routeKey("GET", "/api/v3/exchangeInfo")]: () =>
      json({
        timezone: "UTC",
        serverTime: state.now(),
        rateLimits: [{ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 }],
        // Not Binance's (it serves every interval): the simulator's own list of what /klines serves.
        klineIntervals: state.source.resolutions,
        exchangeFilters: [],
        symbols: state.symbols.map(market),
      }),
    [routeKey("GET", "/api/v3/klines")]: ({ query }) => klines(state, query),
  };
}

/** Binance's request weight per endpoint (klines: its weight at the default limit, whatever the limit). */
export const REQUEST_WEIGHT: Record<string, number> = {
  "/api/v3/ping": 1,
  "/api/v3/time": 1,
  "/api/v3/exchangeInfo": 20,
  "/api/v3/klines": 2,
  "/api/v3/account": 20,
  "/api/v3/myTrades": 20,
  "/api/v3/openOrders": 6,
};
