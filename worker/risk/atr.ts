// Average True Range with Wilder's smoothing, the volatility unit that sizes positions and places stops.
import type { Candle } from "../../db/contracts/domain";

/** True range of `candle` given the previous candle's close. */
export function trueRange(candle: Candle, previousClose: number): number {
  return Math.max(
    candle.high - candle.low,
    Math.abs(candle.high - previousClose),
    Math.abs(candle.low - previousClose),
  );
}

/**
 * Wilder's ATR at the last candle, or null when the window is too short.
 * Like TA-Lib, the first candle only provides a previous close, so `period + 1` candles are needed:
 * the seed is the mean of the first `period` true ranges, then ATR = (ATR × (period − 1) + TR) / period.
 */
export function atr(candles: readonly Candle[], period = 14): number | null {
  if (!Number.isInteger(period) || period < 1)
    throw new RangeError(`ATR period must be a positive integer, got ${period}`);
  if (candles.length < period + 1) return null;
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRange(candles[i], candles[i - 1].close);
  let value = sum / period;
  for (let i = period + 1; i < candles.length; i++) {
    value = (value * (period - 1) + trueRange(candles[i], candles[i - 1].close)) / period;
  }
  return value;
}
