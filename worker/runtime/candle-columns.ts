// Encodes candles column by column for the runner: six flat arrays parse far faster than thousands of small objects.
import type { Candle } from "../../db/contracts/domain";

export interface CandleColumns {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

export function toCandleColumns(candles: readonly Candle[]): CandleColumns {
  const n = candles.length;
  const cols: CandleColumns = {
    time: new Array(n),
    open: new Array(n),
    high: new Array(n),
    low: new Array(n),
    close: new Array(n),
    volume: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const c = candles[i];
    // NaN or Infinity would become null in JSON and crash the strategy far from the cause.
    if (!Number.isFinite(c.time + c.open + c.high + c.low + c.close + c.volume)) {
      throw new RangeError(`candle ${i} has a non-finite value: ${JSON.stringify(c)}`);
    }
    cols.time[i] = c.time;
    cols.open[i] = c.open;
    cols.high[i] = c.high;
    cols.low[i] = c.low;
    cols.close[i] = c.close;
    cols.volume[i] = c.volume;
  }
  return cols;
}
