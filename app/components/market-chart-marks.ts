// What the market chart draws, as plain data: candles with filled ones greyed, signal and trade markers on
// their candles, and the text summary a screen reader gets. Pure, so it is the same on the server and in the browser.
import { RESOLUTION_MS } from "../../db/contracts/domain";
import type { ChartCandle, MarketChartData } from "../../db/contracts/market-chart";
import { formatUtc } from "./market-format";
import { formatPrice, humanReason } from "./subscription-ui";

export const CANDLE_COLORS = {
  up: "#059669",
  down: "#e11d48",
  filledBody: "#e2e8f0",
  filledLine: "#94a3b8",
};

export const MARK_COLORS = {
  BUY: "#059669",
  SELL: "#e11d48",
  CLOSE: "#475569",
  entry: "#1f63d6",
  exit: "#7c3aed",
};

/** lightweight-charts' time: whole seconds (UTCTimestamp). */
const seconds = (ms: number) => Math.floor(ms / 1000);

export interface BarPoint {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  color?: string;
  borderColor?: string;
  wickColor?: string;
}

export function toBars(candles: ChartCandle[]): BarPoint[] {
  return candles.map((c) => ({
    time: seconds(c.time),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    ...(c.filled
      ? {
          color: CANDLE_COLORS.filledBody,
          borderColor: CANDLE_COLORS.filledLine,
          wickColor: CANDLE_COLORS.filledLine,
        }
      : {}),
  }));
}

export interface ChartMark {
  /** Open time of the candle the mark sits on, in seconds. */
  time: number;
  position: "aboveBar" | "belowBar";
  shape: "arrowUp" | "arrowDown" | "circle" | "square";
  color: string;
  text: string;
  id: string;
}

const SIGNAL_MARK = {
  BUY: { position: "belowBar", shape: "arrowUp" },
  SELL: { position: "aboveBar", shape: "arrowDown" },
  CLOSE: { position: "aboveBar", shape: "circle" },
} as const;

/**
 * Markers sorted by time (as lightweight-charts requires). An execution's close time is the close of
 * the candle that produced it, so its mark sits on the candle opening one resolution earlier; a mark
 * whose candle is not in the window is left out.
 */
export function chartMarks(chart: MarketChartData): ChartMark[] {
  const ms = RESOLUTION_MS[chart.resolution];
  const bars = new Set(chart.candles.map((c) => c.time));
  const barOf = (closeTime: number) => (bars.has(closeTime - ms) ? seconds(closeTime - ms) : null);
  const marks: ChartMark[] = [];
  for (const s of chart.signals) {
    const time = barOf(s.closeTime);
    if (time === null) continue;
    // On the subscription page the entries carry the words; the signals stay small beside them.
    const text = chart.trades ? "" : s.signal;
    marks.push({ time, ...SIGNAL_MARK[s.signal], color: MARK_COLORS[s.signal], text, id: `s${s.closeTime}` });
  }
  // A long is bought below the bar and sold above it, a short the other way round; marks on the same
  // side of one bar stack instead of overlapping the candles.
  for (const t of chart.trades ?? []) {
    const long = t.side === "LONG";
    const entry = barOf(t.openedAt);
    if (entry !== null) {
      marks.push({
        time: entry,
        position: long ? "belowBar" : "aboveBar",
        shape: long ? "arrowUp" : "arrowDown",
        color: MARK_COLORS.entry,
        text: `${long ? "Long" : "Short"} ${formatPrice(t.entryPrice)}`,
        id: `e${t.id}`,
      });
    }
    const exit = t.closedAt === null ? null : barOf(t.closedAt);
    if (exit !== null) {
      marks.push({
        time: exit,
        position: long ? "aboveBar" : "belowBar",
        shape: "square",
        color: MARK_COLORS.exit,
        text: `Exit ${formatPrice(t.exitPrice)} · ${humanReason(t.exitReason).toLowerCase()}`,
        id: `x${t.id}`,
      });
    }
  }
  return marks.sort((a, b) => a.time - b.time);
}

/** The last candle and the last signal in words: the chart's text alternative. */
export function chartSummary(chart: MarketChartData): string {
  const last = chart.candles[chart.candles.length - 1];
  if (!last) return `No ${chart.symbol} ${chart.resolution} candles stored yet.`;
  const ms = RESOLUTION_MS[chart.resolution];
  const candle =
    `Last ${chart.symbol} ${chart.resolution} candle, closed ${formatUtc(last.time + ms)}: ` +
    `open ${formatPrice(last.open)}, high ${formatPrice(last.high)}, low ${formatPrice(last.low)}, ` +
    `close ${formatPrice(last.close)}${last.filled ? " (filled: nothing traded)" : ""}.`;
  const signal = chart.signals[chart.signals.length - 1];
  const said = signal
    ? ` Last signal: ${signal.signal}${signal.price === null ? "" : ` at ${formatPrice(signal.price)}`}, ${formatUtc(signal.closeTime)}.`
    : " No BUY, SELL or CLOSE signal in this window.";
  const filled = chart.candles.filter((c) => c.filled).length;
  return `${candle}${said} ${chart.candles.length} candles shown${filled ? `, ${filled} filled` : ""}.`;
}
