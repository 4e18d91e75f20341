// The backtest replay is the live risk and paper code: figures equal sizePosition's and the paper broker's by construction.
import type { Candle, Signal } from "../../db/contracts/domain";
import { closeTrade, DEFAULT_PAPER_CONFIG, fillEntry, slipped } from "../brokers/paper";
import { atr } from "../risk/atr";
import { sizePosition } from "../risk/size-position";
import { PAPER_LIMITS, simulateBacktest } from "./backtest-simulation";

const H = 3_600_000;
const settings = {
  capital: 1000,
  riskPerTrade: 0.01,
  leverage: 5,
  maxOpenPositions: 3,
  maxDailyLoss: 0.05,
  stopLossAtr: 2,
  takeProfitAtr: 3,
};
const hold: Signal = { action: "HOLD", confidence: 1, stopLoss: null, takeProfit: null, reason: "" };
const buy: Signal = { ...hold, action: "BUY" };
const sell: Signal = { ...hold, action: "SELL" };

/** Flat candles around 100 with a 2-wide range, then whatever `tail` adds. */
function candles(n: number, tail: Partial<Candle>[] = []): Candle[] {
  const flat = Array.from({ length: n }, (_, i) => ({
    time: i * H,
    open: 100,
    high: 101,
    low: 99,
    close: 100,
    volume: 1,
  }));
  return [
    ...flat,
    ...tail.map((c, k) => ({
      time: (n + k) * H,
      open: 100,
      high: 101,
      low: 99,
      close: 100,
      volume: 1,
      ...c,
    })),
  ];
}

describe("simulateBacktest", () => {
  it("opens with sizePosition's quantity and stops, and exits at the target by the paper rule", () => {
    const cs = candles(30, [{}, { high: 120, close: 110 }]);
    const signals = cs.slice(20).map((_, k) => (k === 10 ? buy : hold));
    const result = simulateBacktest({
      symbol: "BTC/USDT",
      candles: cs,
      signals,
      first: 20,
      resolutionMs: H,
      lookback: 20,
      settings,
    });

    const window = cs.slice(1, 31);
    const [decision] = sizePosition({
      signal: buy,
      symbol: "BTC/USDT",
      entryPrice: 100,
      atr: atr(window),
      settings,
      state: { openPositions: [], realizedPnlTodayUtc: 0 },
      limits: PAPER_LIMITS,
      costs: DEFAULT_PAPER_CONFIG,
    });
    if (decision.kind !== "open") throw new Error("expected an open");
    const entry = fillEntry(decision);
    const exitPrice = slipped(decision.takeProfit, "sell");
    const expected = closeTrade(
      { ...decision, entryPrice: entry.fillPrice, entryFee: entry.fee },
      exitPrice,
      "take_profit",
    );

    expect(result.trades).toEqual([
      {
        side: "LONG",
        quantity: decision.quantity,
        entryPrice: entry.fillPrice,
        exitPrice,
        stopLoss: decision.stopLoss,
        takeProfit: decision.takeProfit,
        openedAt: 31 * H,
        closedAt: 32 * H,
        pnl: expected.pnl,
        fees: entry.fee + expected.exitFee,
        exitReason: "take_profit",
      },
    ]);
    expect(result.stats).toMatchObject({ trades: 1, winRate: 1 });
    expect(result.equity).toEqual([
      [20 * H, 1000],
      [32 * H, 1000 + expected.pnl],
    ]);
  });

  it("reverses on an opposite signal and closes what is left at the end of the period", () => {
    const cs = candles(40);
    const signals = cs.slice(20).map((_, k) => (k === 2 ? buy : k === 5 ? sell : hold));
    const result = simulateBacktest({
      symbol: "BTC/USDT",
      candles: cs,
      signals,
      first: 20,
      resolutionMs: H,
      lookback: 20,
      settings,
    });
    expect(result.trades.map((t) => [t.side, t.exitReason, t.openedAt / H, t.closedAt / H])).toEqual([
      ["LONG", "opposite_signal", 23, 26],
      ["SHORT", "end_of_period", 26, 40],
    ]);
    expect(result.stats.trades).toBe(2);
    expect(result.equity.at(-1)![0]).toBe(40 * H);
  });

  it("with no trade, the equity is flat from start to end", () => {
    const cs = candles(30);
    const result = simulateBacktest({
      symbol: "BTC/USDT",
      candles: cs,
      signals: cs.slice(20).map(() => hold),
      first: 20,
      resolutionMs: H,
      lookback: 20,
      settings,
    });
    expect(result.trades).toEqual([]);
    expect(result.equity).toEqual([
      [20 * H, 1000],
      [30 * H, 1000],
    ]);
    expect(result.stats).toMatchObject({ trades: 0, returnPct: 0, winRate: null });
  });
});
