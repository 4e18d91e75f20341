// The backtest summary over odd series: clear errors, no NaN returns.
import type { Candle, Signal } from "../../db/contracts/domain";
import { summariseBacktest } from "./backtest-summary";

const candle = (i: number, close: number): Candle => ({
  time: i * 60_000,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
});
const hint = { confidence: 1, stopLoss: null, takeProfit: null, reason: "" };
const signal = (action: Signal["action"]): Signal => ({ ...hint, action });

describe("summariseBacktest", () => {
  it.each([
    { name: "empty", closes: [], actions: [], trades: 0, returnPct: 0 },
    { name: "single", closes: [100], actions: ["BUY"], trades: 1, returnPct: 0 },
    // Long 100 -> 110 (+10 %), short 110 -> 99 (+10 %): 1.1 × 1.1 = 1.21.
    {
      name: "long then short",
      closes: [100, 110, 99],
      actions: ["BUY", "SELL", "HOLD"],
      trades: 2,
      returnPct: 21,
    },
    {
      name: "NaN close moves nothing",
      closes: [100, NaN, 110],
      actions: ["BUY", "HOLD", "HOLD"],
      trades: 1,
      returnPct: 0,
    },
    { name: "zero close moves nothing", closes: [0, 100], actions: ["BUY", "HOLD"], trades: 1, returnPct: 0 },
    {
      name: "negative close moves nothing",
      closes: [100, -5],
      actions: ["BUY", "HOLD"],
      trades: 1,
      returnPct: 0,
    },
    { name: "huge prices", closes: [1e300, 2e300], actions: ["BUY", "HOLD"], trades: 1, returnPct: 100 },
    {
      name: "fewer signals than candles",
      closes: [100, 110, 121],
      actions: ["BUY"],
      trades: 1,
      returnPct: 0,
    },
  ] as const)("$name", ({ closes, actions, trades, returnPct }) => {
    const summary = summariseBacktest(
      closes.map((c, i) => candle(i, c)),
      actions.map(signal),
    );
    expect(summary.trades).toBe(trades);
    expect(summary.naiveReturnPct).toBeCloseTo(returnPct, 9);
    expect(summary.candles).toBe(closes.length);
  });

  it("refuses more signals than candles, naming both counts", () => {
    expect(() => summariseBacktest([candle(0, 100)], [signal("BUY"), signal("HOLD")])).toThrow(
      "summariseBacktest: 2 signals for 1 candles (one signal per candle)",
    );
  });
});
