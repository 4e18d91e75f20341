import type { Candle } from "../../db/contracts/domain";
import {
  checkExits,
  closeTrade,
  createPaperBroker,
  DEFAULT_PAPER_CONFIG,
  fillEntry,
  feeFor,
  fillExit,
  slipped,
  type PaperTrade,
} from "./paper";

const T0 = Date.UTC(2025, 0, 1, 12, 0);
const candle = (open: number, high: number, low: number, close: number, time = T0): Candle => ({
  time,
  open,
  high,
  low,
  close,
  volume: 1,
});

// Defaults: fee 10 bps (0.001), slippage 5 bps (0.0005). Every figure below is worked by hand.
const long: PaperTrade = {
  side: "LONG",
  quantity: 20,
  entryPrice: 100.05,
  stopLoss: 95,
  takeProfit: 107.5,
  openedAt: T0,
  entryFee: 2.001,
};
const short: PaperTrade = {
  side: "SHORT",
  quantity: 20,
  entryPrice: 99.95,
  stopLoss: 105,
  takeProfit: 92.5,
  openedAt: T0,
  entryFee: 1.999,
};

describe("fillEntry", () => {
  it.each([
    ["long buys 5 bps higher", "LONG", 100.05, 2.001],
    ["short sells 5 bps lower", "SHORT", 99.95, 1.999],
  ] as const)("%s", (_name, side, fillPrice, fee) => {
    const fill = fillEntry({ side, quantity: 20, entryPrice: 100 });
    expect(fill.fillPrice).toBeCloseTo(fillPrice, 9);
    expect(fill.fee).toBeCloseTo(fee, 9);
  });

  it("takes its fee and slippage from the config", () => {
    const fill = fillEntry(
      { side: "LONG", quantity: 0.5, entryPrice: 60_000 },
      { feeBps: 4, slippageBps: 0 },
    );
    expect(fill.fillPrice).toBe(60_000);
    expect(fill.fee).toBeCloseTo(12, 9); // 30,000 × 0.0004
  });
});

describe("checkExits", () => {
  // Leverage 10 on the long (entry 100.05): liquidation 100.05 × (1 − 0.1 + 0.005) = 90.54525, booked at
  // the bankruptcy price 100.05 × 0.9 = 90.045. Leverage 5 on the short (entry 99.95): liquidation
  // 99.95 × (1 + 0.2 − 0.005) = 119.44025, booked at 99.95 × 1.2 = 119.94.
  const long10 = { ...long, leverage: 10 };
  const short5 = { ...short, leverage: 5 };
  it.each([
    ["long stop: 95 × 0.9995", long, candle(99, 100, 94, 96), "stop_loss", 94.9525],
    ["long stop gapped through: open 93 × 0.9995", long, candle(93, 94, 90, 92), "stop_loss", 92.9535],
    ["long target: 107.5 × 0.9995", long, candle(105, 108, 104, 107), "take_profit", 107.44625],
    [
      "long opens above the target: the better open 110 × 0.9995",
      long,
      candle(110, 111, 109, 110),
      "take_profit",
      109.945,
    ],
    [
      "long opens above the target, then crosses the stop: the target, at the open",
      long,
      candle(110, 111, 94, 96),
      "take_profit",
      109.945,
    ],
    ["long touching both: the stop first", long, candle(100, 108, 94, 101), "stop_loss", 94.9525],
    ["short stop: 105 × 1.0005", short, candle(101, 106, 100, 104), "stop_loss", 105.0525],
    [
      "short stop gapped through: open 107 × 1.0005",
      short,
      candle(107, 108, 106, 107),
      "stop_loss",
      107.0535,
    ],
    ["short target: 92.5 × 1.0005", short, candle(95, 96, 92, 93), "take_profit", 92.54625],
    [
      "short opens below the target: the better open 90 × 1.0005",
      short,
      candle(90, 91, 89, 90),
      "take_profit",
      90.045,
    ],
    [
      "short opens below the target, then crosses the stop: the target, at the open",
      short,
      candle(90, 106, 89, 104),
      "take_profit",
      90.045,
    ],
    ["short touching both: the stop first", short, candle(100, 105, 92, 100), "stop_loss", 105.0525],
    [
      "liquidation, long: a stop above the liquidation price is hit first",
      long10,
      candle(99, 100, 85, 88),
      "stop_loss",
      94.9525,
    ],
    [
      "liquidation, long: a stop below it never fills",
      { ...long10, stopLoss: 80 },
      candle(99, 100, 85, 88),
      "liquidation",
      90.045,
    ],
    [
      "liquidation, long: a gap below it is booked at the bankruptcy price, not the open",
      { ...long10, stopLoss: 80 },
      candle(70, 71, 60, 65),
      "liquidation",
      90.045,
    ],
    [
      "liquidation, long: an open through the stop beyond it too",
      long10,
      candle(85, 86, 84, 85),
      "liquidation",
      90.045,
    ],
    [
      "liquidation, short: a stop below the liquidation price is hit first",
      short5,
      candle(101, 125, 100, 120),
      "stop_loss",
      105.0525,
    ],
    [
      "liquidation, short: a stop above it never fills",
      { ...short5, stopLoss: 130 },
      candle(101, 125, 100, 120),
      "liquidation",
      119.94,
    ],
    [
      "liquidation, short: at 1× it is liquidated at 1.995 × entry",
      { ...short, stopLoss: 300, leverage: 1 },
      candle(101, 201, 100, 200),
      "liquidation",
      199.9,
    ],
  ] as const)("%s", (_name, trade, bar, reason, exitPrice) => {
    const exit = checkExits(trade, bar);
    expect(exit?.reason).toBe(reason);
    expect(exit?.exitPrice).toBeCloseTo(exitPrice, 9);
  });

  it("a liquidation loses the margin plus the fees, never more", () => {
    const exit = checkExits({ ...long10, stopLoss: 80 }, candle(50, 51, 40, 45))!;
    const closed = closeTrade(long10, exit.exitPrice, exit.reason);
    // margin 100.05 × 20 / 10 = 200.1, entry fee 2.001, exit fee 90.045 × 20 × 0.001 = 1.8009
    expect(closed.pnl).toBeCloseTo(-200.1 - 2.001 - 1.8009, 9);
  });

  it.each([
    { name: "NaN low and high", bar: candle(100, Number.NaN, Number.NaN, 100) },
    { name: "all NaN", bar: candle(Number.NaN, Number.NaN, Number.NaN, Number.NaN) },
    { name: "NaN time", bar: candle(100, 200, 1, 100, Number.NaN) },
  ])("keeps the trade open on a corrupt candle ($name)", ({ bar }) => {
    expect(checkExits(long, bar)).toBeNull();
    expect(checkExits(short, bar)).toBeNull();
  });

  it("ignores a candle that touches neither level", () => {
    expect(checkExits(long, candle(100, 107, 95.01, 101))).toBeNull();
    expect(checkExits(short, candle(100, 104.99, 92.51, 101))).toBeNull();
  });

  it("ignores candles before the trade opened (the signal candle itself)", () => {
    expect(checkExits(long, candle(100, 108, 90, 100, T0 - 60_000))).toBeNull();
  });
});

describe("closeTrade", () => {
  it.each([
    // (94.9525 − 100.05) × 20 = −101.95; fees 2.001 + 1.89905
    ["long stopped out", long, 94.9525, "stop_loss", 1.89905, -105.85005, "loss"],
    // (107.44625 − 100.05) × 20 = 147.925; fees 2.001 + 2.148925
    ["long at target", long, 107.44625, "take_profit", 2.148925, 143.775075, "win"],
    // (99.95 − 105.0525) × 20 = −102.05; fees 1.999 + 2.10105
    ["short stopped out", short, 105.0525, "stop_loss", 2.10105, -106.15005, "loss"],
    // (99.95 − 92.54625) × 20 = 148.075; fees 1.999 + 1.850925
    ["short at target", short, 92.54625, "take_profit", 1.850925, 144.225075, "win"],
  ] as const)("%s", (_name, trade, exitPrice, reason, exitFee, pnl, outcome) => {
    const closed = closeTrade(trade, exitPrice, reason);
    expect(closed.exitPrice).toBe(exitPrice);
    expect(closed.exitFee).toBeCloseTo(exitFee, 9);
    expect(closed.pnl).toBeCloseTo(pnl, 9);
    expect(closed.outcome).toBe(outcome);
    expect(closed.reason).toBe(reason);
  });

  it("recomputes the entry fee when the trade did not keep it", () => {
    const { entryFee: _kept, ...withoutFee } = long;
    expect(closeTrade(withoutFee, 94.9525, "stop_loss").pnl).toBeCloseTo(-105.85005, 9);
  });

  it("counts a break-even after fees as a loss", () => {
    const free = { feeBps: 0, slippageBps: 0 };
    expect(closeTrade({ ...long, entryFee: 0 }, 100.05, "signal_close", free)).toMatchObject({
      pnl: 0,
      outcome: "loss",
    });
  });

  it("a signal close exits at the reference slipped against the trader", () => {
    expect(fillExit("LONG", 102)).toBeCloseTo(101.949, 9);
    expect(fillExit("SHORT", 102)).toBeCloseTo(102.051, 9);
    // (101.949 − 100.05) × 20 = 37.98; fees 2.001 + 2.03898
    expect(closeTrade(long, fillExit("LONG", 102), "opposite_signal").pnl).toBeCloseTo(33.94002, 9);
  });
});

describe("createPaperBroker", () => {
  const broker = createPaperBroker(DEFAULT_PAPER_CONFIG);
  const order = { clientOrderId: "cc-abc", symbol: "SOL/USDT", quantity: 20, referencePrice: 100 };

  it("fills buys above and sells below the reference, with the fee", async () => {
    expect(await broker.placeMarketOrder({ ...order, side: "buy" })).toEqual({
      status: "filled",
      fillPrice: expect.closeTo(100.05, 9),
      filledQuantity: 20,
      fee: expect.closeTo(2.001, 9),
      exchangeOrderId: "paper-cc-abc",
    });
    expect(await broker.placeMarketOrder({ ...order, side: "sell" })).toMatchObject({
      fillPrice: expect.closeTo(99.95, 9),
    });
  });

  it.each([
    { name: "zero quantity", over: { quantity: 0 } },
    { name: "negative quantity", over: { quantity: -1 } },
    { name: "NaN quantity", over: { quantity: Number.NaN } },
    { name: "infinite quantity", over: { quantity: Infinity } },
    { name: "zero price", over: { referencePrice: 0 } },
    { name: "negative price", over: { referencePrice: -100 } },
    { name: "infinite price", over: { referencePrice: Infinity } },
  ])("rejects an order with a $name, with the reason", async ({ over }) => {
    expect(await broker.placeMarketOrder({ ...order, side: "buy", ...over })).toEqual({
      status: "rejected",
      reason: expect.stringMatching(/is not a positive number/),
    });
  });

  it("fills a huge order at finite figures", async () => {
    const result = await broker.placeMarketOrder({
      ...order,
      side: "sell",
      quantity: 1e150,
      referencePrice: 1e150,
    });
    expect(result).toMatchObject({ status: "filled", filledQuantity: 1e150 });
    if (result.status !== "filled") throw new Error("not filled");
    expect(result.fillPrice).toBeCloseTo(0.9995e150, -140);
    expect(Number.isFinite(result.fee)).toBe(true);
  });

  it("rejects a non-positive quantity or price as a value", async () => {
    expect(await broker.placeMarketOrder({ ...order, side: "buy", quantity: 0 })).toMatchObject({
      status: "rejected",
    });
    expect(
      await broker.placeMarketOrder({ ...order, side: "buy", referencePrice: Number.NaN }),
    ).toMatchObject({
      status: "rejected",
    });
  });
});

describe("odd input: no crash, a NaN stays visible (the statistics skip it)", () => {
  it.each([
    { name: "zero", price: 0, buy: 0, sell: 0 },
    { name: "negative", price: -100, buy: -100.05, sell: -99.95 },
    { name: "NaN", price: NaN, buy: NaN, sell: NaN },
    { name: "huge", price: 1e300, buy: 1.0005e300, sell: 0.9995e300 },
  ])("slipped: $name", ({ price, buy, sell }) => {
    for (const [side, expected] of [
      ["buy", buy],
      ["sell", sell],
    ] as const) {
      const value = slipped(price, side);
      if (Number.isNaN(expected)) expect(value).toBeNaN();
      else if (expected === 0) expect(value).toBe(0);
      else expect(value / expected).toBeCloseTo(1, 12);
    }
  });

  it.each([
    { name: "zero quantity", price: 100, quantity: 0, expected: 0 },
    { name: "zero price", price: 0, quantity: 5, expected: 0 },
    { name: "negative quantity", price: 100, quantity: -1, expected: -0.1 },
    { name: "NaN", price: NaN, quantity: 1, expected: NaN },
    { name: "huge", price: 1e150, quantity: 1e150, expected: 1e297 },
  ])("feeFor: $name", ({ price, quantity, expected }) => {
    const fee = feeFor(price, quantity);
    if (Number.isNaN(expected)) expect(fee).toBeNaN();
    else if (Math.abs(expected) > 1e100) expect(fee / expected).toBeCloseTo(1, 12);
    else expect(fee).toBeCloseTo(expected, 9);
  });

  it.each([
    {
      name: "zero exit: a long loses it all",
      trade: long,
      exit: 0,
      pnl: -20 * 100.05 - 2.001,
      outcome: "loss",
    },
    {
      name: "zero quantity: nothing but the fees",
      trade: { ...long, quantity: 0, entryFee: 0 },
      exit: 110,
      pnl: 0,
      outcome: "loss",
    },
    { name: "NaN exit", trade: long, exit: NaN, pnl: NaN, outcome: "loss" },
    { name: "huge exit stays finite", trade: long, exit: 1e300, pnl: 20 * 1e300 * 0.999, outcome: "win" },
  ] as const)("closeTrade: $name", ({ trade, exit, pnl, outcome }) => {
    const closed = closeTrade(trade, exit, "signal_close");
    expect(closed.outcome).toBe(outcome);
    if (Number.isNaN(pnl)) expect(closed.pnl).toBeNaN();
    else if (Math.abs(pnl) > 1e100) expect(closed.pnl / pnl).toBeCloseTo(1, 9);
    else expect(closed.pnl).toBeCloseTo(pnl, 9);
  });

  it.each([
    {
      name: "an all-zero candle liquidates a long at its bankruptcy price 0",
      trade: long,
      bar: candle(0, 0, 0, 0),
      expected: { reason: "liquidation", exitPrice: 0 },
    },
    {
      name: "a negative candle too",
      trade: long,
      bar: candle(-1, -1, -2, -1),
      expected: { reason: "liquidation", exitPrice: 0 },
    },
    {
      name: "NaN stop and target: only a liquidation could close it",
      trade: { ...long, stopLoss: NaN, takeProfit: NaN },
      bar: candle(99, 200, 50, 100),
      expected: null,
    },
    {
      name: "NaN leverage: no liquidation, the stop still works",
      trade: { ...long, leverage: NaN },
      bar: candle(99, 100, 94, 96),
      expected: { reason: "stop_loss", exitPrice: 94.9525 },
    },
    {
      name: "a huge open is a target at that open",
      trade: long,
      bar: candle(1e300, 1e300, 1e300, 1e300),
      expected: { reason: "take_profit", exitPrice: 0.9995e300 },
    },
  ] as const)("checkExits: $name", ({ trade, bar, expected }) => {
    const exit = checkExits(trade, bar);
    if (expected === null) return expect(exit).toBeNull();
    expect(exit?.reason).toBe(expected.reason);
    if (expected.exitPrice === 0) expect(exit?.exitPrice).toBe(0);
    else expect(exit!.exitPrice / expected.exitPrice).toBeCloseTo(1, 9);
  });

  it.each([
    {
      name: "zero quantity",
      decision: { side: "LONG", quantity: 0, entryPrice: 100 },
      fillPrice: 100.05,
      fee: 0,
    },
    {
      name: "NaN price",
      decision: { side: "SHORT", quantity: 1, entryPrice: NaN },
      fillPrice: NaN,
      fee: NaN,
    },
  ] as const)("fillEntry and fillExit: $name", ({ decision, fillPrice, fee }) => {
    const fill = fillEntry(decision);
    const exit = fillExit(decision.side, decision.entryPrice);
    if (Number.isNaN(fillPrice)) {
      expect(fill.fillPrice).toBeNaN();
      expect(fill.fee).toBeNaN();
      expect(exit).toBeNaN();
    } else {
      expect(fill.fillPrice).toBeCloseTo(fillPrice, 9);
      expect(fill.fee).toBe(fee);
      expect(exit).toBeCloseTo(99.95, 9);
    }
  });
});
