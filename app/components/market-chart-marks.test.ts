// What the market chart draws: filled candles greyed, marks on the candle that closed at the execution, the text summary.
import type { MarketChartData } from "../../db/contracts/market-chart";
import { CANDLE_COLORS, chartMarks, chartSummary, MARK_COLORS, toBars } from "./market-chart-marks";

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const candle = (i: number, close: number, filled = false) => ({
  time: T0 + i * H,
  open: close - 1,
  high: close + 2,
  low: close - 3,
  close,
  volume: filled ? 0 : 10,
  filled,
});
const chart = (over: Partial<MarketChartData> = {}): MarketChartData => ({
  symbol: "BTC/USDT",
  symbols: ["BTC/USDT"],
  resolution: "1h",
  source: "binance",
  candles: [candle(0, 100), candle(1, 101, true), candle(2, 102), candle(3, 103)],
  signals: [
    { closeTime: T0 + H, signal: "BUY", price: 100 },
    { closeTime: T0 + 3 * H, signal: "SELL", price: 102 },
    { closeTime: T0 + 4 * H, signal: "CLOSE", price: 103 },
    // Closes after the last stored candle: no candle to sit on.
    { closeTime: T0 + 9 * H, signal: "BUY", price: 1 },
  ],
  trades: null,
  ...over,
});
const sec = (ms: number) => ms / 1000;

describe("the market chart's marks", () => {
  it("greys filled candles and keeps the others to the series colours, times in seconds", () => {
    const bars = toBars(chart().candles);
    expect(bars[0]).toEqual({ time: sec(T0), open: 99, high: 102, low: 97, close: 100 });
    expect(bars[1]).toMatchObject({
      time: sec(T0 + H),
      color: CANDLE_COLORS.filledBody,
      wickColor: CANDLE_COLORS.filledLine,
    });
  });

  it("puts each signal on the candle that closed at its close time, labelled, and drops one outside the window", () => {
    expect(
      chartMarks(chart()).map(({ time, shape, position, text, color }) => ({
        time,
        shape,
        position,
        text,
        color,
      })),
    ).toEqual([
      { time: sec(T0), shape: "arrowUp", position: "belowBar", text: "BUY", color: MARK_COLORS.BUY },
      {
        time: sec(T0 + 2 * H),
        shape: "arrowDown",
        position: "aboveBar",
        text: "SELL",
        color: MARK_COLORS.SELL,
      },
      {
        time: sec(T0 + 3 * H),
        shape: "circle",
        position: "aboveBar",
        text: "CLOSE",
        color: MARK_COLORS.CLOSE,
      },
    ]);
  });

  it("marks a subscription's entry with its side and price and its exit with price and reason; signals lose their words", () => {
    const marks = chartMarks(
      chart({
        trades: [
          {
            id: "t1",
            side: "SHORT",
            entryPrice: 102,
            openedAt: T0 + 3 * H,
            exitPrice: 103.5,
            closedAt: T0 + 4 * H,
            exitReason: "stop_loss",
          },
          {
            id: "t2",
            side: "LONG",
            entryPrice: 103,
            openedAt: T0 + 4 * H,
            exitPrice: null,
            closedAt: null,
            exitReason: null,
          },
        ],
      }),
    );
    expect(marks.filter((m) => m.id.startsWith("s")).every((m) => m.text === "")).toBe(true);
    expect(marks.filter((m) => !m.id.startsWith("s"))).toEqual([
      {
        id: "et1",
        time: sec(T0 + 2 * H),
        position: "aboveBar",
        shape: "arrowDown",
        color: MARK_COLORS.entry,
        text: "Short 102.00",
      },
      {
        id: "xt1",
        time: sec(T0 + 3 * H),
        position: "belowBar",
        shape: "square",
        color: MARK_COLORS.exit,
        text: "Exit 103.50 · stop loss",
      },
      {
        id: "et2",
        time: sec(T0 + 3 * H),
        position: "belowBar",
        shape: "arrowUp",
        color: MARK_COLORS.entry,
        text: "Long 103.00",
      },
    ]);
    // lightweight-charts wants markers in time order.
    expect(marks.map((m) => m.time)).toEqual([...marks.map((m) => m.time)].sort((a, b) => a - b));
  });

  it("summarises the last candle and the last signal in words", () => {
    const inWindow = chart().signals.slice(0, 3);
    expect(chartSummary(chart({ signals: inWindow }))).toBe(
      "Last BTC/USDT 1h candle, closed 2026-11-01 04:00 UTC: open 102.00, high 105.00, low 100.00, close 103.00. " +
        "Last signal: CLOSE at 103.00, 2026-11-01 04:00 UTC. 4 candles shown, 1 filled.",
    );
    expect(chartSummary(chart({ signals: [] }))).toMatch(/No BUY, SELL or CLOSE signal in this window\./);
    expect(chartSummary(chart({ candles: [] }))).toBe("No BTC/USDT 1h candles stored yet.");
  });
});
