// The one rule for candles a source leaves out (nothing traded): a flat candle at the previous close, volume 0.
import type { Candle } from "../../db/contracts/domain";
import type { StoredCandle } from "../../db/store/queries/candles";

/**
 * Every open time in [from, to) stepping `ms`: the source's candle where it has one, else a filled
 * candle copying the previous close. Times before the first candle known (`previous` or the source's
 * first) stay absent: the market had not started, and nothing can be copied.
 */
export function fillGaps(
  source: readonly Candle[],
  from: number,
  to: number,
  ms: number,
  previous: Candle | null,
): StoredCandle[] {
  const out: StoredCandle[] = [];
  let last: Candle | null = previous;
  let next = 0;
  for (let time = from; time < to; time += ms) {
    while (next < source.length && source[next].time < time) next++;
    const candle = source[next]?.time === time ? source[next] : null;
    if (candle) {
      out.push({ ...candle, filled: false });
      last = candle;
    } else if (last) {
      const c = last.close;
      out.push({ time, open: c, high: c, low: c, close: c, volume: 0, filled: true });
    }
  }
  return out;
}
