// The matching engine on a known price path: gaps, stop-limits that trigger without filling, OCO cancels.
import { spotMarket } from "./binance-market";
import { createEngine } from "./binance-orders";
import { csvSource } from "./candle-source";
import { advance, cancelOrder, placeOcoList, placeOrder, type OrderRequest } from "./matching";
import { pathSegments } from "./price-path";
import { createState } from "./state";

const MS = 60_000;
const STARTED_AT = Date.UTC(2026, 0, 1, 12, 0, 30);
// Row 0 walks 100 -> 99 -> 101 -> 100; row 1 opens with a gap down to 90.
const ROWS = [
  { time: 0, open: 100, high: 101, low: 99, close: 100, volume: 1 },
  { time: MS, open: 90, high: 91, low: 89, close: 90, volume: 1 },
];
const source = csvSource(ROWS, STARTED_AT);
const T0 = source.replayStart!;
const BTC = spotMarket("BTC/USDT");

function engineAt(t: number) {
  const state = createState({ source, symbols: ["BTC/USDT"] });
  state.ledger.accounts.k = {
    apiKey: "k",
    secret: "s",
    balances: { USDT: { free: 1000, locked: 0 }, BTC: { free: 1, locked: 0 } },
  };
  const engine = createEngine(state);
  advance(engine, t);
  return engine;
}

const order = (request: Partial<OrderRequest> & Pick<OrderRequest, "side" | "type">): OrderRequest => ({
  clientOrderId: `c-${request.type}-${request.side}`,
  quantity: 0.1,
  ...request,
});

const place = (engine: ReturnType<typeof engineAt>, request: Parameters<typeof order>[0], now: number) =>
  placeOrder(engine, "k", BTC, order(request), now);

describe("matching engine", () => {
  it("takes every price on the 1e-8 tick grid, at any size, and refuses one between ticks", () => {
    const engine = engineAt(T0 + MS / 6);
    const prices = Array.from({ length: 2000 }, (_, i) => Number((50 + i * 41.37310919).toFixed(8)));
    const refused = prices.filter((price, i) => {
      const placed = place(
        engine,
        { side: "BUY", type: "LIMIT", price, timeInForce: "GTC", clientOrderId: `t${i}`, quantity: 0.000001 },
        T0 + MS / 6,
      );
      return !placed.ok && placed.msg === "Filter failure: PRICE_FILTER";
    });
    expect(refused).toEqual([]);
    const between = place(
      engine,
      { side: "BUY", type: "LIMIT", price: 98.123456785, timeInForce: "GTC" },
      T0 + MS / 6,
    );
    expect(between).toMatchObject({ ok: false, msg: "Filter failure: PRICE_FILTER" });
  });

  it("walks each candle open -> low -> high -> close, then jumps to the next open", () => {
    const segments = pathSegments(source, "BTC/USDT", T0, T0 + MS);
    expect(segments.map((s) => [s.t0 - T0, s.p0, s.t1 - T0, s.p1])).toEqual([
      [0, 100, MS / 3, 99],
      [MS / 3, 99, (2 * MS) / 3, 101],
      [(2 * MS) / 3, 101, MS, 100],
      [MS, 100, MS, 90],
    ]);
  });

  it("fills a market order at the path's price now", () => {
    const engine = engineAt(T0 + MS / 2);
    const placed = place(engine, { side: "BUY", type: "MARKET" }, T0 + MS / 2);
    expect(placed.ok && engine.ledger.fills[0].price).toBe(100);
  });

  it("a gap fills a sell stop at the price after the gap, and a resting buy limit at its own price", () => {
    const engine = engineAt(T0 + MS / 2);
    const stop = place(engine, { side: "SELL", type: "STOP_LOSS", stopPrice: 95 }, T0 + MS / 2);
    const limit = place(engine, { side: "BUY", type: "LIMIT", price: 92, timeInForce: "GTC" }, T0 + MS / 2);
    expect(stop.ok && limit.ok).toBe(true);
    expect(engine.ledger.accounts.k.balances.BTC.locked).toBeCloseTo(0.1, 9);
    advance(engine, T0 + MS - 1);
    expect(engine.ledger.fills).toEqual([]);
    advance(engine, T0 + MS + 1);
    expect(engine.ledger.fills.map((f) => [f.orderId, f.price, f.time - T0, f.isMaker])).toEqual([
      [stop.ok && stop.value.orderId, 90, MS, false],
      [limit.ok && limit.value.orderId, 92, MS, true],
    ]);
    expect(engine.ledger.accounts.k.balances.BTC).toEqual({
      free: expect.closeTo(1, 9),
      locked: expect.closeTo(0, 9),
    });
  });

  it("a stop-limit whose limit cannot fill at the trigger keeps working and fills when the path reaches its limit", () => {
    const engine = engineAt(T0 + MS / 20);
    const placed = place(
      engine,
      { side: "SELL", type: "STOP_LOSS_LIMIT", stopPrice: 99.5, price: 100.5, timeInForce: "GTC" },
      T0 + MS / 20,
    );
    if (!placed.ok) throw new Error(placed.msg);
    advance(engine, T0 + MS / 3);
    expect(placed.value).toMatchObject({ status: "NEW", workingTime: expect.closeTo(T0 + MS / 6, 3) });
    advance(engine, T0 + MS);
    expect(placed.value.status).toBe("FILLED");
    expect(engine.ledger.fills[0]).toMatchObject({
      price: 100.5,
      time: expect.closeTo(T0 + MS / 3 + MS / 4, 3),
    });
  });

  it("refuses what would act at once, and cancelling one OCO leg cancels both and frees the shared lock", () => {
    const engine = engineAt(T0 + MS / 2);
    const now = T0 + MS / 2;
    expect(place(engine, { side: "SELL", type: "STOP_LOSS", stopPrice: 100.5 }, now)).toMatchObject({
      ok: false,
      code: -2010,
      msg: "Stop price would trigger immediately.",
    });
    const placed = placeOcoList(
      engine,
      "k",
      BTC,
      [
        order({ side: "SELL", type: "STOP_LOSS", stopPrice: 95, clientOrderId: "sl" }),
        order({ side: "SELL", type: "LIMIT_MAKER", price: 105, clientOrderId: "tp" }),
      ],
      0.5,
      "list",
      now,
    );
    if (!placed.ok) throw new Error(placed.msg);
    expect(engine.ledger.accounts.k.balances.BTC).toEqual({ free: 0.5, locked: 0.5 });
    const cancelled = cancelOrder(engine, placed.value.orders[1], now);
    expect(cancelled.map((o) => o.status)).toEqual(["CANCELED", "CANCELED"]);
    expect(placed.value.list.status).toBe("ALL_DONE");
    expect(engine.ledger.accounts.k.balances.BTC).toEqual({ free: 1, locked: 0 });
  });
});
