// msw handlers for Binance spot REST, shaped like its real responses; shared by tests and MOCKS=true dev mode.
import { delay, http, HttpResponse } from "msw";
import { RESOLUTION_MS, type Resolution } from "../../db/contracts/domain";
import { simulatedCandles } from "../../worker/market-data/simulated-feed";
// The kline rows the local exchange simulator serves: one shape of Binance's answer for both.
import { kline } from "../../scripts/exchange-sim/binance-market";

/** What the next POST /api/v3/order does. */
export type NextOrderBehaviour = "fill" | "insufficient_balance" | "accept_then_hang";

interface StoredOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: "BUY" | "SELL";
  quantity: number;
  price: number;
  time: number;
}

const MARKETS = [
  {
    symbol: "BTCUSDT",
    base: "BTC",
    quote: "USDT",
    unified: "BTC/USDT",
    minQty: "0.00001000",
    stepSize: "0.00001000",
    minNotional: "5.00000000",
  },
  {
    symbol: "ETHUSDT",
    base: "ETH",
    quote: "USDT",
    unified: "ETH/USDT",
    minQty: "0.00010000",
    stepSize: "0.00010000",
    minNotional: "5.00000000",
  },
  {
    symbol: "SOLUSDT",
    base: "SOL",
    quote: "USDT",
    unified: "SOL/USDT",
    minQty: "0.00100000",
    stepSize: "0.00100000",
    minNotional: "5.00000000",
  },
];

const INTERVALS: Record<string, Resolution> = {
  "1m": "1m",
  "5m": "5m",
  "15m": "15m",
  "1h": "1h",
  "4h": "4h",
  "1d": "1d",
};

const fixed8 = (n: number) => n.toFixed(8);
const alignDown = (t: number, ms: number) => Math.floor(t / ms) * ms;
const binanceError = (status: number, code: number, msg: string) =>
  HttpResponse.json({ code, msg }, { status });

function exchangeInfo(serverTime: number) {
  return {
    timezone: "UTC",
    serverTime,
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
    ],
    exchangeFilters: [],
    symbols: MARKETS.map((m) => ({
      symbol: m.symbol,
      status: "TRADING",
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: [
        "LIMIT",
        "LIMIT_MAKER",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
      ],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: true,
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: "0.01000000",
          maxPrice: "1000000.00000000",
          tickSize: "0.01000000",
        },
        { filterType: "LOT_SIZE", minQty: m.minQty, maxQty: "9000.00000000", stepSize: m.stepSize },
        { filterType: "ICEBERG_PARTS", limit: 10 },
        {
          filterType: "MARKET_LOT_SIZE",
          minQty: "0.00000000",
          maxQty: "100.00000000",
          stepSize: "0.00000000",
        },
        {
          filterType: "NOTIONAL",
          minNotional: m.minNotional,
          applyMinToMarket: true,
          maxNotional: "9000000.00000000",
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
        { filterType: "MAX_NUM_ORDERS", maxNumOrders: 200 },
      ],
      permissions: [],
      permissionSets: [["SPOT", "MARGIN"]],
      defaultSelfTradePreventionMode: "EXPIRE_MAKER",
      allowedSelfTradePreventionModes: ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    })),
  };
}

/** GET /api/v3/order shape (no fills). */
function orderQuery(o: StoredOrder) {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: "0.00000000",
    origQty: fixed8(o.quantity),
    executedQty: fixed8(o.quantity),
    cummulativeQuoteQty: fixed8(o.quantity * o.price),
    status: "FILLED",
    timeInForce: "GTC",
    type: "MARKET",
    side: o.side,
    stopPrice: "0.00000000",
    icebergQty: "0.00000000",
    time: o.time,
    updateTime: o.time,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: "0.00000000",
    selfTradePreventionMode: "EXPIRE_MAKER",
  };
}

/** The fee a fill pays, in USDT: 0.1 %, Binance's base spot rate. */
const commission = (o: StoredOrder) => o.quantity * o.price * 0.001;

/**
 * A fake Binance with inspectable state. `now` decides which candles exist (the one in progress is
 * returned too, as Binance does); `klinesLagCalls` makes that many klines calls miss the candle that
 * closed last, as the real API sometimes does for a moment after a boundary.
 */
export function createBinanceMock(
  options: { now?: () => number; fillPrice?: (symbol: string) => number; hangMs?: number } = {},
) {
  const state = {
    now: options.now ?? Date.now,
    nextOrder: "fill" as NextOrderBehaviour,
    klinesLagCalls: 0,
    orders: [] as StoredOrder[],
    orderPosts: [] as URLSearchParams[],
    orderLookups: [] as URLSearchParams[],
    klinesCalls: [] as URLSearchParams[],
  };
  const fillPrice = options.fillPrice ?? (() => 100);
  let nextOrderId = 1000;

  const handlers = [
    http.get("*/api/v3/exchangeInfo", () => HttpResponse.json(exchangeInfo(state.now()))),

    http.post("*/api/v3/order", async ({ request }) => {
      const url = new URL(request.url);
      const body = new URLSearchParams(await request.text());
      const params = new URLSearchParams([...url.searchParams, ...body]);
      state.orderPosts.push(params);
      if (!params.get("signature"))
        return binanceError(
          400,
          -1102,
          "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
        );
      const behaviour = state.nextOrder;
      state.nextOrder = "fill";
      if (behaviour === "insufficient_balance") {
        return binanceError(400, -2010, "Account has insufficient balance for requested action.");
      }
      const symbol = params.get("symbol")!;
      const order: StoredOrder = {
        symbol,
        orderId: nextOrderId++,
        clientOrderId: params.get("newClientOrderId") ?? `web_${nextOrderId}`,
        side: params.get("side") as "BUY" | "SELL",
        quantity: Number(params.get("quantity")),
        price: fillPrice(symbol),
        time: state.now(),
      };
      state.orders.push(order);
      // The order reached the matching engine, but the answer never comes back in time.
      if (behaviour === "accept_then_hang") await delay(options.hangMs ?? 2_000);
      return HttpResponse.json({
        ...orderQuery(order),
        transactTime: order.time,
        fills: [
          {
            price: fixed8(order.price),
            qty: fixed8(order.quantity),
            commission: fixed8(commission(order)),
            commissionAsset: "USDT",
            tradeId: order.orderId * 10,
          },
        ],
      });
    }),

    http.get("*/api/v3/order", ({ request }) => {
      const params = new URL(request.url).searchParams;
      state.orderLookups.push(params);
      const byClientId = params.get("origClientOrderId");
      const byId = params.get("orderId");
      const order = state.orders.find(
        (o) =>
          o.symbol === params.get("symbol") &&
          (byClientId ? o.clientOrderId === byClientId : String(o.orderId) === byId),
      );
      return order ? HttpResponse.json(orderQuery(order)) : binanceError(400, -2013, "Order does not exist.");
    }),

    http.get("*/api/v3/myTrades", ({ request }) => {
      const params = new URL(request.url).searchParams;
      const order = state.orders.find(
        (o) => o.symbol === params.get("symbol") && String(o.orderId) === params.get("orderId"),
      );
      if (!order) return HttpResponse.json([]);
      return HttpResponse.json([
        {
          symbol: order.symbol,
          id: order.orderId * 10,
          orderId: order.orderId,
          orderListId: -1,
          price: fixed8(order.price),
          qty: fixed8(order.quantity),
          quoteQty: fixed8(order.price * order.quantity),
          commission: fixed8(commission(order)),
          commissionAsset: "USDT",
          time: order.time,
          isBuyer: order.side === "BUY",
          isMaker: false,
          isBestMatch: true,
        },
      ]);
    }),

    http.get("*/api/v3/klines", ({ request }) => {
      const params = new URL(request.url).searchParams;
      state.klinesCalls.push(params);
      const market = MARKETS.find((m) => m.symbol === params.get("symbol"));
      const resolution = INTERVALS[params.get("interval") ?? ""];
      if (!market || !resolution) return binanceError(400, -1121, "Invalid symbol.");
      const ms = RESOLUTION_MS[resolution];
      const limit = Math.min(Number(params.get("limit") ?? 500), 1000);
      const lagging = state.klinesLagCalls > 0;
      if (lagging) state.klinesLagCalls--;
      // The newest candle Binance shows is the one in progress, or while lagging the one before the last close.
      const newestOpen = alignDown(state.now(), ms) - (lagging ? 2 * ms : 0);
      const start = params.has("startTime")
        ? Math.ceil(Number(params.get("startTime")) / ms) * ms
        : newestOpen - (limit - 1) * ms;
      const end = alignDown(
        Math.min(
          newestOpen,
          params.has("endTime") ? Number(params.get("endTime")) : Infinity,
          start + (limit - 1) * ms,
        ),
        ms,
      );
      if (end < start) return HttpResponse.json([]);
      const candles = simulatedCandles(market.unified, resolution, end + ms, (end - start) / ms + 1);
      return HttpResponse.json(candles.map((c) => kline(c, ms)));
    }),
  ];

  return { state, handlers };
}
