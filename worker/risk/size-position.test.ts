import type { Signal } from "../../db/contracts/domain";
import { sizePosition, type OpenPosition, type RiskSettings, type SizePositionInput } from "./size-position";

const settings: RiskSettings = {
  capital: 10_000,
  riskPerTrade: 0.01,
  leverage: 3,
  maxOpenPositions: 2,
  maxDailyLoss: 0.05,
  stopLossAtr: 2,
  takeProfitAtr: 3,
};

const signal = (action: Signal["action"], hints: Partial<Signal> = {}): Signal => ({
  action,
  confidence: 1,
  stopLoss: null,
  takeProfit: null,
  reason: "",
  ...hints,
});

const position = (tradeId: string, symbol: string, side: OpenPosition["side"]): OpenPosition => ({
  tradeId,
  symbol,
  side,
  quantity: 1,
  entryPrice: 100,
});

const input = (overrides: Partial<SizePositionInput> = {}): SizePositionInput => ({
  signal: signal("BUY"),
  symbol: "SOL/USDT",
  entryPrice: 100,
  atr: 2.5,
  settings,
  state: { openPositions: [], realizedPnlTodayUtc: 0 },
  limits: { minQuantity: 0.001, quantityStep: 0.001 },
  ...overrides,
});

describe("sizePosition: sizing (hand-computed)", () => {
  // risk money = 10,000 × 0.01 = 100 in every row; quantity = 100 / (2 × ATR) before caps and rounding.
  it.each([
    {
      name: "long: 100 / (2 × 2.5) = 20, SL 100 − 5 = 95, TP 100 + 7.5",
      over: {},
      expected: { side: "LONG", quantity: 20, entryPrice: 100, stopLoss: 95, takeProfit: 107.5 },
    },
    {
      name: "short mirrors: SL 105, TP 92.5",
      over: { signal: signal("SELL") },
      expected: { side: "SHORT", quantity: 20, entryPrice: 100, stopLoss: 105, takeProfit: 92.5 },
    },
    {
      name: "step rounding: 100 / 14 = 7.142857… down to step 0.01 = 7.14",
      over: { entryPrice: 3000, atr: 7, limits: { minQuantity: 0.01, quantityStep: 0.01 } },
      expected: { side: "LONG", quantity: 7.14, entryPrice: 3000, stopLoss: 2986, takeProfit: 3021 },
    },
    {
      name: "leverage cap: risk says 0.5 but 10,000 × 2 / 60,000 = 0.3333… → 0.333",
      over: { entryPrice: 60_000, atr: 100, settings: { ...settings, leverage: 2 } },
      expected: { side: "LONG", quantity: 0.333, entryPrice: 60_000, stopLoss: 59_800, takeProfit: 60_300 },
    },
    {
      name: "leverage cap exactly met: 30,000 / 60,000 = 0.5 = risk size",
      over: { entryPrice: 60_000, atr: 100 },
      expected: { side: "LONG", quantity: 0.5, entryPrice: 60_000, stopLoss: 59_800, takeProfit: 60_300 },
    },
    {
      name: "long hints on the right side win",
      over: { signal: signal("BUY", { stopLoss: 97, takeProfit: 110 }) },
      expected: { side: "LONG", quantity: 20, entryPrice: 100, stopLoss: 97, takeProfit: 110 },
    },
    {
      name: "short hints on the right side win",
      over: { signal: signal("SELL", { stopLoss: 103, takeProfit: 90 }) },
      expected: { side: "SHORT", quantity: 20, entryPrice: 100, stopLoss: 103, takeProfit: 90 },
    },
  ])("$name", ({ over, expected }) => {
    const [decision] = sizePosition(input(over));
    expect(decision.kind).toBe("open");
    if (decision.kind !== "open") return;
    expect(decision.side).toBe(expected.side);
    for (const key of ["quantity", "entryPrice", "stopLoss", "takeProfit"] as const) {
      expect(decision[key]).toBeCloseTo(expected[key], 9);
    }
    expect(decision.notes).toEqual([]);
  });

  it("ignores hints on the wrong side of entry and says so", () => {
    const long = sizePosition(input({ signal: signal("BUY", { stopLoss: 101, takeProfit: 99 }) }))[0];
    expect(long).toMatchObject({ kind: "open", stopLoss: 95, takeProfit: 107.5 });
    expect(long.kind === "open" && long.notes).toHaveLength(2);

    const short = sizePosition(input({ signal: signal("SELL", { stopLoss: 99, takeProfit: 90 }) }))[0];
    expect(short).toMatchObject({ kind: "open", stopLoss: 105, takeProfit: 90 });
    expect(short.kind === "open" && short.notes).toEqual([expect.stringContaining("stop-loss hint 99")]);
  });
});

describe("sizePosition: skips", () => {
  it.each([
    { name: "HOLD", over: { signal: signal("HOLD") }, reason: "hold" },
    {
      name: "rounds to zero below the minimum quantity",
      over: {
        entryPrice: 60_000,
        atr: 100,
        settings: { ...settings, leverage: 2 },
        limits: { minQuantity: 1, quantityStep: 1 },
      },
      reason: "below_min_quantity",
    },
    {
      name: "under the minimum quantity after rounding",
      over: { limits: { minQuantity: 25, quantityStep: 0.001 } },
      reason: "below_min_quantity",
    },
    {
      name: "notional 20 × 100 = 2,000 under a 5,000 minimum",
      over: { limits: { minQuantity: 0.001, quantityStep: 0.001, minNotional: 5000 } },
      reason: "below_min_notional",
    },
    { name: "zero ATR", over: { atr: 0 }, reason: "zero_atr" },
    { name: "no ATR (short window)", over: { atr: null }, reason: "zero_atr" },
    { name: "non-positive entry price", over: { entryPrice: 0 }, reason: "invalid_price" },
    { name: "stop below zero: 100 − 2 × 60", over: { atr: 60 }, reason: "invalid_stop" },
    {
      name: "short target below zero: 100 − 3 × 40",
      over: { signal: signal("SELL"), atr: 40 },
      reason: "invalid_stop",
    },
    {
      name: "daily loss exactly at −5 % of capital",
      over: { state: { openPositions: [], realizedPnlTodayUtc: -500 } },
      reason: "max_daily_loss",
    },
    {
      name: "today's P&L is NaN: the guard cannot be checked",
      over: { state: { openPositions: [], realizedPnlTodayUtc: NaN } },
      reason: "max_daily_loss",
    },
    { name: "NaN entry price", over: { entryPrice: NaN }, reason: "invalid_price" },
    { name: "negative entry price", over: { entryPrice: -100 }, reason: "invalid_price" },
    { name: "huge entry price", over: { entryPrice: Infinity }, reason: "invalid_price" },
    { name: "NaN ATR", over: { atr: NaN }, reason: "zero_atr" },
    { name: "negative ATR", over: { atr: -1 }, reason: "zero_atr" },
    { name: "infinite ATR", over: { atr: Infinity }, reason: "zero_atr" },
    {
      name: "max open positions across symbols",
      over: {
        state: {
          openPositions: [position("t1", "BTC/USDT", "LONG"), position("t2", "ETH/USDT", "SHORT")],
          realizedPnlTodayUtc: 0,
        },
      },
      reason: "max_open_positions",
    },
    {
      name: "BUY while long",
      over: { state: { openPositions: [position("t1", "SOL/USDT", "LONG")], realizedPnlTodayUtc: 0 } },
      reason: "already_in_position",
    },
    {
      name: "SELL while short",
      over: {
        signal: signal("SELL"),
        state: { openPositions: [position("t1", "SOL/USDT", "SHORT")], realizedPnlTodayUtc: 0 },
      },
      reason: "already_in_position",
    },
    {
      name: "CLOSE with a position only on another symbol",
      over: {
        signal: signal("CLOSE"),
        state: { openPositions: [position("t1", "BTC/USDT", "LONG")], realizedPnlTodayUtc: 0 },
      },
      reason: "no_position_to_close",
    },
  ])("$name → $reason", ({ over, reason }) => {
    const decisions = sizePosition(input(over));
    expect(decisions).toEqual([{ kind: "skip", reason, detail: expect.any(String) }]);
  });

  it("opens just above the daily loss limit", () => {
    const [decision] = sizePosition(input({ state: { openPositions: [], realizedPnlTodayUtc: -499.99 } }));
    expect(decision.kind).toBe("open");
  });
});

describe("sizePosition: existing positions", () => {
  it("CLOSE closes the position on that symbol", () => {
    const state = {
      openPositions: [position("t1", "SOL/USDT", "SHORT"), position("t2", "BTC/USDT", "LONG")],
      realizedPnlTodayUtc: 0,
    };
    expect(sizePosition(input({ signal: signal("CLOSE"), state }))).toEqual([
      { kind: "close", tradeId: "t1", reason: "signal_close" },
    ]);
  });

  it("BUY with an open short closes it, then opens a long (the closed one frees its slot)", () => {
    const state = {
      openPositions: [position("t1", "SOL/USDT", "SHORT"), position("t2", "BTC/USDT", "LONG")],
      realizedPnlTodayUtc: 0,
    };
    const decisions = sizePosition(input({ state }));
    expect(decisions).toEqual([
      { kind: "close", tradeId: "t1", reason: "opposite_signal" },
      expect.objectContaining({ kind: "open", side: "LONG", quantity: 20 }),
    ]);
  });

  it("SELL with an open long closes it, then opens a short", () => {
    const state = { openPositions: [position("t1", "SOL/USDT", "LONG")], realizedPnlTodayUtc: 0 };
    expect(sizePosition(input({ signal: signal("SELL"), state }))).toEqual([
      { kind: "close", tradeId: "t1", reason: "opposite_signal" },
      expect.objectContaining({ kind: "open", side: "SHORT", stopLoss: 105 }),
    ]);
  });

  it("past the daily loss limit a reversal still closes, but does not open", () => {
    const state = { openPositions: [position("t1", "SOL/USDT", "SHORT")], realizedPnlTodayUtc: -600 };
    expect(sizePosition(input({ state }))).toEqual([
      { kind: "close", tradeId: "t1", reason: "opposite_signal" },
      { kind: "skip", reason: "max_daily_loss", detail: expect.stringContaining("-600") },
    ]);
  });

  it("a closing signal needs no ATR", () => {
    const state = { openPositions: [position("t1", "SOL/USDT", "LONG")], realizedPnlTodayUtc: -10_000 };
    expect(sizePosition(input({ signal: signal("CLOSE"), atr: null, state }))).toEqual([
      { kind: "close", tradeId: "t1", reason: "signal_close" },
    ]);
  });
});
