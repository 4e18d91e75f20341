// Summarises a backtest's signals: counts per action and a naive close-to-close equity curve (no fees, stops ignored).
import type { Candle, Signal, SignalAction } from "../../db/contracts/domain";

export interface BacktestSummary {
  candles: number;
  from: number | null;
  to: number | null;
  actions: Record<SignalAction, number>;
  /** Position changes (entries and reversals) under the naive model. */
  trades: number;
  /** Compounded return of following the signals close to close: BUY long, SELL short, CLOSE flat. */
  naiveReturnPct: number;
}

/** Close-to-close return, 0 when either close is not a positive price (no move can be measured). */
function closeReturn(previous: number, close: number): number {
  const valid = (x: number) => x > 0 && Number.isFinite(x);
  return valid(previous) && valid(close) ? close / previous - 1 : 0;
}

/** One signal per candle, oldest first: more signals than candles is a caller's bug and an error. */
export function summariseBacktest(candles: readonly Candle[], signals: readonly Signal[]): BacktestSummary {
  if (signals.length > candles.length) {
    throw new RangeError(
      `summariseBacktest: ${signals.length} signals for ${candles.length} candles (one signal per candle)`,
    );
  }
  const actions: Record<SignalAction, number> = { BUY: 0, SELL: 0, CLOSE: 0, HOLD: 0 };
  let position = 0;
  let equity = 1;
  let trades = 0;
  for (let i = 0; i < signals.length; i++) {
    if (i > 0 && position !== 0) equity *= 1 + position * closeReturn(candles[i - 1].close, candles[i].close);
    const action = signals[i].action;
    actions[action] += 1;
    const next = action === "BUY" ? 1 : action === "SELL" ? -1 : action === "CLOSE" ? 0 : position;
    if (next !== position && next !== 0) trades += 1;
    position = next;
  }
  return {
    candles: candles.length,
    from: candles[0]?.time ?? null,
    to: candles.at(-1)?.time ?? null,
    actions,
    trades,
    naiveReturnPct: Math.round((equity - 1) * 1e6) / 1e4,
  };
}
