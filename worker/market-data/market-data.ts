// The market-data contract the coordinator reads candle windows through, and its alignment rule.
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";

export interface MarketData {
  /** "simulated" or a ccxt exchange id: recorded on every execution. */
  readonly source: string;
  /**
   * The `count` most recent candles whose close time is <= `closeTime`, oldest first; the last one
   * closes exactly at `closeTime` (which must sit on a `resolution` boundary).
   */
  closedCandles(symbol: string, resolution: Resolution, closeTime: number, count: number): Promise<Candle[]>;
}

/** A caller asked for a window that cannot exist (misaligned close time, non-positive count). */
export class CandleWindowError extends RangeError {
  override name = "CandleWindowError";
}

/** Open time of the first candle of the window, after checking the request is well formed. */
export function windowStart(resolution: Resolution, closeTime: number, count: number): number {
  const ms = RESOLUTION_MS[resolution];
  if (!Number.isInteger(closeTime) || closeTime % ms !== 0) {
    throw new CandleWindowError(`Close time ${closeTime} is not on a ${resolution} boundary.`);
  }
  if (!Number.isInteger(count) || count < 1)
    throw new CandleWindowError(`Candle count must be a positive integer, got ${count}.`);
  return closeTime - count * ms;
}
