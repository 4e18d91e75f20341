// The backtest replay is the live risk and paper code: figures equal sizePosition's and the paper broker's by construction.
import type { Candle, Signal } from "../../db/contracts/domain";
import { closeTrade, DEFAULT_PAPER_CONFIG, fillEntry, slipped } from "../brokers/paper";
import { atr } from "../risk/atr";
import { sizePosition } from "../risk/size-position";
import { PAPER_LIMITS, simulateBacktest, type SimulationInput } from "./backtest-simulation";

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

/** The replay of `cs` from candle 20 on, the strategy answering `signalAt(k)` at candle 20 + k. */
const simulate = (cs: Candle[], signalAt: (k: number) => Signal, over: Partial<SimulationInput> = {}) =>
  simulateBacktest({
    symbol: "BTC/USDT",
    candles: cs,
    signals: cs.slice(20).map((_, k) => signalAt(k)),
    first: 20,
    resolutionMs: H,
    lookback: 20,
    settings,
    ...over,
  });

describe("simulateBacktest", () => {
  it("opens with sizePosition's quantity and stops, and exits at the target by the paper rule", () => {
    const cs = candles(30, [{}, { high: 120, close: 110 }]);
    const result = simulate(cs, (k) => (k === 10 ? buy : hold));

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
    // Marked to market at every close: flat until the entry, then the open position at the close of
    // 100 (down by the slippage and the entry fee), then the realised target.
    const unrealisedAtEntry = decision.quantity * (100 - entry.fillPrice) - entry.fee;
    expect(result.equity).toEqual([
      [20 * H, 1000],
      ...Array.from({ length: 10 }, (_, k) => [(21 + k) * H, 1000]),
      [31 * H, 1000 + unrealisedAtEntry],
      [32 * H, 1000 + expected.pnl],
    ]);
    expect(result.stats).toMatchObject({ exposurePct: (1 / 12) * 100, maxConsecutiveLosses: 0 });
  });

  it("reverses on an opposite signal and closes what is left at the end of the period", () => {
    const cs = candles(40);
    const result = simulate(cs, (k) => (k === 2 ? buy : k === 5 ? sell : hold));
    expect(result.trades.map((t) => [t.side, t.exitReason, t.openedAt / H, t.closedAt / H])).toEqual([
      ["LONG", "opposite_signal", 23, 26],
      ["SHORT", "end_of_period", 26, 40],
    ]);
    expect(result.stats.trades).toBe(2);
    expect(result.equity.at(-1)![0]).toBe(40 * H);
  });

  it("liquidates by the paper rule, floors the equity at 0, and opens nothing once it is gone", () => {
    // Leverage 20, risk 10 % over a 0.2 stop: risk says 500, the cap 1,000 / (100.05 × (1/20 + 0.001)) = 195.97.
    // The crash opens at 50, beyond the liquidation price 100.05 × 0.955: booked at 100.05 × 0.95 = 95.0475,
    // the whole margin and both fees, 1,018.6 in all: more than the 1,000 of capital. (No daily-loss limit
    // in the way: the second BUY is refused because the account is empty.)
    const cs = candles(30, [{}, { open: 50, high: 51, low: 49, close: 50 }, {}, {}]);
    const result = simulate(cs, (k) => (k === 10 || k === 12 ? buy : hold), {
      settings: { ...settings, leverage: 20, riskPerTrade: 0.1, stopLossAtr: 0.1, maxDailyLoss: 2 },
    });
    expect(result.trades).toEqual([
      expect.objectContaining({ exitReason: "liquidation", exitPrice: 100.05 * 0.95, closedAt: 32 * H }),
    ]);
    expect(result.trades[0].pnl).toBeLessThan(-1000);
    expect(result.equity.at(-1)).toEqual([34 * H, 0]);
    expect(Math.min(...result.equity.map(([, v]) => v))).toBe(0);
    expect(result.stats).toMatchObject({ returnPct: -100, maxDrawdownPct: 100, cagrPct: null, trades: 1 });
  });

  it("books a stop touched during a daily candle on the UTC day the candle covers", () => {
    // The stop is touched on candle 31 (day 31, closing at 00:00 of day 32): a loss of ~10, twice the
    // 0.5 % daily limit. Booked on day 31, it does not stop the BUY at the close (day 32).
    const DAY = 24 * H;
    const cs = candles(30, [{}, { low: 90, close: 95 }, {}]).map((c, i) => ({ ...c, time: i * DAY }));
    const result = simulate(cs, (k) => (k === 10 || k === 11 ? buy : hold), {
      resolutionMs: DAY,
      settings: { ...settings, maxDailyLoss: 0.005 },
    });
    expect(result.trades.map((t) => [t.exitReason, t.openedAt / DAY, t.closedAt / DAY])).toEqual([
      ["stop_loss", 31, 32],
      ["end_of_period", 32, 33],
    ]);
    expect(result.trades[0].pnl).toBeLessThan(-5);
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
    expect(result.equity).toEqual(Array.from({ length: 11 }, (_, k) => [(20 + k) * H, 1000]));
    expect(result.stats).toMatchObject({ trades: 0, returnPct: 0, winRate: null });
  });
});

describe("simulateBacktest: odd input", () => {
  const scaled = (cs: Candle[], f: (x: number) => number) =>
    cs.map((c) => ({ ...c, open: f(c.open), high: f(c.high), low: f(c.low), close: f(c.close) }));
  const buyEvery3 = (k: number) => (k % 3 === 0 ? buy : k % 3 === 1 ? sell : hold);
  it.each([
    { name: "no candles", cs: [] as Candle[], trades: 0 },
    { name: "a single candle", cs: candles(1), trades: 0 },
    { name: "zero prices", cs: scaled(candles(40), () => 0), trades: 0 },
    { name: "negative prices", cs: scaled(candles(40), (x) => -x), trades: 0 },
    { name: "normal prices, for comparison", cs: candles(40), trades: 14 },
    // From candle 25 on every ATR window holds the NaN: no entry (zero_atr), the open one still closes.
    { name: "a NaN close", cs: candles(40).map((c, i) => (i === 25 ? { ...c, close: NaN } : c)), trades: 4 },
    { name: "huge prices trade as normal ones", cs: scaled(candles(40), (x) => x * 1e290), trades: 14 },
  ])("$name: no crash, equity finite and never below 0", ({ cs, trades }) => {
    const first = Math.min(20, cs.length);
    const result = simulate(cs, buyEvery3, { first });
    expect(result.trades).toHaveLength(trades);
    for (const [time, value] of result.equity) {
      expect(Number.isFinite(time)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
    const { equityBasis, ...figures } = result.stats;
    expect(equityBasis).toBe("marked");
    for (const value of Object.values(figures)) {
      if (value !== null) expect(Number.isFinite(value), JSON.stringify(result.stats)).toBe(true);
    }
  });
});
