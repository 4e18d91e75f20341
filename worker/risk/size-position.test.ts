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

const NO_COSTS = { feeBps: 0, slippageBps: 0 };
const PAPER_COSTS = { feeBps: 10, slippageBps: 5 };

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
  costs: NO_COSTS,
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
      name: "leverage cap: risk says 0.5 but 10,000 × 2 / 60,000 = 0.3333… → 0.333 (no costs)",
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

describe("sizePosition: the leverage cap leaves room for slippage and fees", () => {
  // Capital 10,000, leverage 2, entry 60,000, ATR 100: risk says 0.5, the cap binds.
  const capped = (side: "BUY" | "SELL", costs = PAPER_COSTS) =>
    sizePosition(
      input({
        signal: signal(side),
        entryPrice: 60_000,
        atr: 100,
        settings: { ...settings, leverage: 2 },
        limits: { minQuantity: 0, quantityStep: 0 },
        costs,
      }),
    )[0];
  const entryCost = (quantity: number, fill: number, leverage: number) =>
    (quantity * fill) / leverage + quantity * fill * 0.001;

  it.each([
    // 10,000 / (60,030 × (1/2 + 0.001)) = 0.332502…
    ["long fills at 60,030", "BUY", 60_030, 10_000 / (60_030 * 0.501)],
    // 10,000 / (59,970 × 0.501) = 0.332835…
    ["short fills at 59,970", "SELL", 59_970, 10_000 / (59_970 * 0.501)],
  ] as const)("%s: margin + fee = capital exactly", (_name, side, fill, quantity) => {
    const decision = capped(side);
    if (decision.kind !== "open") throw new Error("expected an open");
    expect(decision.quantity).toBeCloseTo(quantity, 12);
    expect(entryCost(decision.quantity, fill, 2)).toBeCloseTo(10_000, 6);
    expect(entryCost(decision.quantity, fill, 2)).toBeLessThanOrEqual(10_000 * (1 + 1e-12));
  });

  it("at 1× with exactly the capital free the order fits (it needed capital × 1.0015 before)", () => {
    const [decision] = sizePosition(
      input({
        entryPrice: 100,
        atr: 0.01,
        limits: { minQuantity: 0, quantityStep: 0 },
        costs: PAPER_COSTS,
        settings: { ...settings, leverage: 1 },
      }),
    );
    if (decision.kind !== "open") throw new Error("expected an open");
    expect(entryCost(decision.quantity, 100.05, 1)).toBeLessThanOrEqual(10_000 * (1 + 1e-12));
    expect(decision.quantity).toBeCloseTo(10_000 / (100.05 * 1.001), 9);
  });

  it("without costs the cap is capital × leverage / entry", () => {
    const decision = capped("BUY", NO_COSTS);
    expect(decision.kind === "open" && decision.quantity).toBeCloseTo((10_000 * 2) / 60_000, 12);
  });
});

describe("sizePosition: odd settings and markets never give a non-finite order", () => {
  it.each([
    { name: "zero capital", over: { settings: { ...settings, capital: 0 } }, reason: "no_equity" },
    { name: "negative capital", over: { settings: { ...settings, capital: -5 } }, reason: "no_equity" },
    { name: "NaN capital", over: { settings: { ...settings, capital: NaN } }, reason: "no_equity" },
    {
      name: "NaN risk per trade",
      over: { settings: { ...settings, riskPerTrade: NaN } },
      reason: "below_min_quantity",
    },
    {
      name: "NaN leverage",
      over: { settings: { ...settings, leverage: NaN } },
      reason: "below_min_quantity",
    },
    { name: "zero leverage", over: { settings: { ...settings, leverage: 0 } }, reason: "below_min_quantity" },
    { name: "NaN fee", over: { costs: { feeBps: NaN, slippageBps: 5 } }, reason: "below_min_quantity" },
    { name: "huge ATR", over: { atr: 1e300 }, reason: "below_min_quantity" },
    { name: "huge capital", over: { settings: { ...settings, capital: 1e300 } }, quantity: 2e297 },
    { name: "tiny ATR: the leverage cap binds", over: { atr: 1e-300 }, quantity: 300 },
    {
      name: "negative costs count as none",
      over: { atr: 1e-300, costs: { feeBps: -10, slippageBps: -5 } },
      quantity: 300,
    },
  ])("$name", ({ over, ...expected }) => {
    const [decision] = sizePosition(input(over));
    if ("reason" in expected) {
      expect(decision).toEqual({ kind: "skip", reason: expected.reason, detail: expect.any(String) });
    } else {
      if (decision.kind !== "open") throw new Error(`expected an open, got ${JSON.stringify(decision)}`);
      expect(decision.quantity / expected.quantity).toBeCloseTo(1, 9);
      expect(Number.isFinite(decision.stopLoss) && Number.isFinite(decision.takeProfit)).toBe(true);
    }
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
    {
      name: "realized losses took all the capital",
      over: { state: { openPositions: [], realizedPnlTodayUtc: 0, realizedPnlTotal: -10_000 } },
      reason: "no_equity",
    },
    {
      name: "realized P&L in total is NaN",
      over: { state: { openPositions: [], realizedPnlTodayUtc: 0, realizedPnlTotal: NaN } },
      reason: "no_equity",
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
