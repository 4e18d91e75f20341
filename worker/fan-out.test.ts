// The fan-out planner: what one signal does for each subscription (trades, closes, events), computed by hand.
import type { Candle, Signal } from "../db/contracts/domain";
import { executionEventSchema } from "../db/contracts/events";
import type { FanOutSubscription, OpenTrade } from "../db/store/queries/fan-out";
import { checkExits, closeTrade, DEFAULT_PAPER_CONFIG, fillEntry, fillExit, slipped } from "./brokers/paper";
import { planFanOut, PAPER_LIMITS, type FanOutInput, type VersionOutcome } from "./fan-out";
import { atr } from "./risk/atr";
import { sizePosition } from "./risk/size-position";

const H = 3_600_000;
const CLOSE_TIME = 40 * H;
const candles: Candle[] = Array.from({ length: 40 }, (_, i) => ({
  time: i * H,
  open: 100,
  high: 101,
  low: 99,
  close: 100,
  volume: 1,
}));
const signal = (action: Signal["action"]): Signal => ({
  action,
  confidence: 1,
  stopLoss: null,
  takeProfit: null,
  reason: "",
});

const sub = (id: string, over: Partial<FanOutSubscription> = {}): FanOutSubscription => ({
  id,
  userId: `u-${id}`,
  pinnedVersionId: null,
  brokerAccountId: `b-${id}`,
  brokerKind: "paper",
  capital: 1000,
  riskPerTrade: 0.01,
  leverage: 5,
  maxOpenPositions: 3,
  maxDailyLoss: 0.05,
  stopLossAtr: 2,
  takeProfitAtr: 3,
  pnlDayStart: 0,
  pnlToday: 0,
  totalPnl: 0,
  ...over,
});

/** A LONG opened at 38h with its stop at 99.5. */
const open: OpenTrade = {
  id: "t-1",
  subscriptionId: "a",
  symbol: "BTC/USDT",
  side: "LONG",
  quantity: 2,
  entryPrice: 100.5,
  stopLoss: 99.5,
  takeProfit: 110,
  entryFee: 0.2,
  openedAt: 38 * H,
  protectedOnExchange: false,
};

function plan(over: Partial<FanOutInput> & { signal?: Signal; outcomes?: Map<string, VersionOutcome> }) {
  return planFanOut({
    execution: { id: "exec-1", strategyId: "s", symbol: "BTC/USDT", resolution: "1h", closeTime: CLOSE_TIME },
    subscriptions: [sub("a")],
    versionOf: () => "v1",
    outcomes: over.outcomes ?? new Map([["v1", { ok: true, signal: over.signal ?? signal("HOLD") }]]),
    openTrades: [],
    candles,
    atr: atr(candles),
    paper: DEFAULT_PAPER_CONFIG,
    brokerFor: () => ({ limits: PAPER_LIMITS }),
    ...over,
  });
}

describe("planFanOut", () => {
  it("HOLD writes no trade row, one event per subscriber saying HOLD", () => {
    const p = plan({ subscriptions: [sub("a"), sub("b")], signal: signal("HOLD") });
    expect(p.trades).toEqual([]);
    expect(p.events).toHaveLength(2);
    const event = executionEventSchema.parse(p.events[0].payload);
    expect(event).toMatchObject({
      status: "COMPLETED",
      signal: "HOLD",
      opened: null,
      skipped: { reason: "hold" },
    });
    expect(p.events.map((e) => e.userId)).toEqual(["u-a", "u-b"]);
  });

  it("BUY opens with sizePosition's figures and the paper fill", () => {
    const p = plan({ signal: signal("BUY") });
    const [decision] = sizePosition({
      signal: signal("BUY"),
      symbol: "BTC/USDT",
      entryPrice: 100,
      atr: atr(candles),
      settings: sub("a"),
      state: { openPositions: [], realizedPnlTodayUtc: 0 },
      limits: PAPER_LIMITS,
      costs: DEFAULT_PAPER_CONFIG,
    });
    if (decision.kind !== "open") throw new Error("expected an open");
    const fill = fillEntry(decision);
    expect(p.trades).toHaveLength(1);
    expect(p.trades[0]).toMatchObject({
      status: "open",
      side: "LONG",
      quantity: decision.quantity,
      entryPrice: fill.fillPrice,
      entryFee: fill.fee,
      stopLoss: decision.stopLoss,
      takeProfit: decision.takeProfit,
    });
    expect(p.trades[0].clientOrderId).toBeNull();
    expect(executionEventSchema.parse(p.events[0].payload).opened).toMatchObject({
      id: p.trades[0].id,
      side: "LONG",
    });
  });

  it("closes a position at its stop when a window candle since it opened touched it, before the new signal", () => {
    const p = plan({ openTrades: [open], signal: signal("HOLD") });
    // Candle 38 (opens at the trade's open time) has low 99 <= 99.5: the stop, slipped against the seller.
    const exitPrice = slipped(99.5, "sell");
    const expected = closeTrade(
      { side: "LONG", quantity: 2, entryPrice: 100.5, entryFee: 0.2 },
      exitPrice,
      "stop_loss",
    );
    expect(p.closes).toEqual([
      {
        tradeId: "t-1",
        exitPrice,
        exitFee: expected.exitFee,
        pnl: expected.pnl,
        exitReason: "stop_loss",
        pnlDay: 24 * H,
      },
    ]);
    expect(executionEventSchema.parse(p.events[0].payload).closed).toEqual([
      { tradeId: "t-1", exitPrice, pnl: expected.pnl, exitReason: "stop_loss" },
    ]);
  });

  it("liquidates a leveraged position whose stop lies beyond its liquidation price, by the paper rule", () => {
    // Leverage 5, entry 100.5: liquidation at 100.5 × (1 − 0.2 + 0.005) = 79.8975, booked at 100.5 × 0.8 = 80.4.
    const crash = candles.map((c) => (c.time === 39 * H ? { ...c, low: 70, close: 75 } : c));
    const farStop = { ...open, stopLoss: 50 };
    const p = plan({ openTrades: [farStop], candles: crash, atr: atr(crash) });
    const exit = checkExits({ ...farStop, takeProfit: 110, leverage: 5, entryFee: 0.2 }, crash[39]);
    expect(exit).toEqual({ reason: "liquidation", exitPrice: 80.4 });
    const expected = closeTrade({ ...farStop, entryFee: 0.2 }, 80.4, "liquidation");
    expect(p.closes).toEqual([
      {
        tradeId: "t-1",
        exitPrice: 80.4,
        exitFee: expected.exitFee,
        pnl: expected.pnl,
        exitReason: "liquidation",
        pnlDay: 24 * H,
      },
    ]);
    // The whole margin (100.5 × 2 / 5 = 40.2) and the fees, no more.
    expect(expected.pnl).toBeCloseTo(-40.2 - 0.2 - 0.1608, 9);
  });

  it("opens nothing for a subscription whose realized P&L, with this execution's stop, took all its capital", () => {
    const p = plan({
      subscriptions: [sub("a", { totalPnl: -999 })],
      openTrades: [open],
      signal: signal("BUY"),
    });
    expect(p.closes.map((c) => c.exitReason)).toEqual(["stop_loss"]);
    expect(p.trades).toEqual([expect.objectContaining({ status: "skipped", reason: "no_equity" })]);
  });

  it("finds a trade's first candle by time when the window has a hole before it", () => {
    // Only the candle opening at the trade's open time touches the stop; candle 5 is missing.
    const holed = candles
      .filter((c) => c.time !== 5 * H)
      .map((c) => ({ ...c, low: c.time === 38 * H ? 99 : 99.8 }));
    const p = plan({ openTrades: [open], candles: holed, atr: atr(holed) });
    expect(p.closes.map((c) => [c.tradeId, c.exitReason])).toEqual([["t-1", "stop_loss"]]);
  });

  it("leaves a trade whose stop and target rest on the exchange to the exchange's fill", () => {
    const hit = candles.map((c) => (c.time === 38 * H ? { ...c, low: 90 } : c));
    const exchange = sub("a", { brokerKind: "exchange" });
    const protectedTrade = { ...open, protectedOnExchange: true };
    const p = plan({ subscriptions: [exchange], openTrades: [protectedTrade], candles: hit });
    expect(p.closes).toEqual([]);
    expect(p.orders).toEqual([]);
    // Without resting protection (it was refused, or it is a paper trade) the candle decides as before.
    const unprotected = plan({ subscriptions: [exchange], openTrades: [open], candles: hit });
    expect(unprotected.closes.map((c) => c.exitReason)).toEqual(["stop_loss"]);
    expect(unprotected.orders.map((o) => o.leg)).toEqual(["close"]);
  });

  it("SELL reverses a LONG: closes it at the paper exit, opens SHORT with a distinct order id", () => {
    const open: OpenTrade = {
      id: "t-1",
      subscriptionId: "a",
      symbol: "BTC/USDT",
      side: "LONG",
      quantity: 1,
      entryPrice: 100,
      stopLoss: 50,
      takeProfit: 200,
      entryFee: 0.1,
      openedAt: 39 * H,
      protectedOnExchange: false,
    };
    const p = plan({ openTrades: [open], signal: signal("SELL") });
    expect(p.closes).toHaveLength(1);
    expect(p.closes[0]).toMatchObject({
      tradeId: "t-1",
      exitPrice: fillExit("LONG", 100),
      exitReason: "opposite_signal",
    });
    expect(p.trades).toEqual([expect.objectContaining({ status: "open", side: "SHORT" })]);
  });

  it("records a reasoned skip (not HOLD) as a skipped row", () => {
    const p = plan({
      subscriptions: [sub("a", { pnlDayStart: 86_400_000, pnlToday: -100 })],
      signal: signal("BUY"),
    });
    expect(p.trades).toEqual([expect.objectContaining({ status: "skipped", reason: "max_daily_loss" })]);
    expect(executionEventSchema.parse(p.events[0].payload).skipped?.reason).toBe("max_daily_loss");
  });

  it.each([
    // Today (day 1) has lost 49 of the 50 allowed; the stop costs ~2.2 more.
    {
      name: "a stop on today's candle counts today: no new entry",
      openedAt: 38 * H,
      pnlDay: 24 * H,
      opens: false,
    },
    { name: "a stop on yesterday's candle is booked yesterday", openedAt: 23 * H, pnlDay: 0, opens: true },
  ])("$name", ({ openedAt, pnlDay, opens }) => {
    const p = plan({
      subscriptions: [sub("a", { pnlDayStart: 24 * H, pnlToday: -49 })],
      openTrades: [{ ...open, openedAt }],
      signal: signal("BUY"),
    });
    expect(p.closes).toEqual([expect.objectContaining({ tradeId: "t-1", exitReason: "stop_loss", pnlDay })]);
    expect(p.closes[0].pnl).toBeLessThan(-1);
    expect(p.opened).toBe(opens ? 1 : 0);
  });

  it("counts today's P&L only when its day is the close's UTC day", () => {
    const yesterday = plan({
      subscriptions: [sub("a", { pnlDayStart: 0, pnlToday: -100 })],
      signal: signal("BUY"),
    });
    expect(yesterday.trades[0].status).toBe("open");
  });

  it("skips subscribers whose version failed, and exchange accounts that cannot trade, with their reasons", () => {
    const p = plan({
      subscriptions: [sub("a"), sub("b", { pinnedVersionId: "v0" }), sub("c", { brokerKind: "exchange" })],
      versionOf: (s) => s.pinnedVersionId ?? "v1",
      outcomes: new Map<string, VersionOutcome>([
        ["v1", { ok: true, signal: signal("BUY") }],
        ["v0", { ok: false, kind: "runtime", message: "boom" }],
      ]),
      brokerFor: (s) => (s.brokerKind === "exchange" ? { unavailable: "no keys" } : { limits: PAPER_LIMITS }),
    });
    expect(p.trades.map((t) => [t.subscriptionId, t.status, t.reason ?? null])).toEqual([
      ["a", "open", null],
      ["b", "skipped", "strategy_error"],
      ["c", "skipped", "broker_unavailable"],
    ]);
    expect(executionEventSchema.parse(p.events[1].payload).status).toBe("FAILED");
    expect(p.orders).toEqual([]);
  });

  it("queues exchange orders for after the commit, paper ones never", () => {
    const p = plan({
      subscriptions: [sub("a"), sub("x", { brokerKind: "exchange" })],
      signal: signal("BUY"),
      brokerFor: () => ({ limits: { minQuantity: 0.001, quantityStep: 0.001 } }),
    });
    expect(p.orders).toEqual([
      expect.objectContaining({ leg: "open", side: "buy", brokerAccountId: "b-x", referencePrice: 100 }),
    ]);
    expect(p.orders[0].clientOrderId).toMatch(/^cc[0-9a-f]{30}$/);
    expect(p.trades.find((t) => t.subscriptionId === "x")?.clientOrderId).toBe(p.orders[0].clientOrderId);
  });
});
