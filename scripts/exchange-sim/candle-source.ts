// Where the simulator's candles come from: the built-in generated market, or a CSV replayed onto the present.
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import { simulatedCandles } from "../../worker/market-data/simulated-feed";

export interface CandleSource {
  /** Resolutions this source can serve. */
  resolutions: readonly Resolution[];
  /** Candles with open time in [from, to] (both aligned), oldest first; a symbol's gaps are simply absent. */
  candles(symbol: string, resolution: Resolution, from: number, to: number): Candle[];
  /** For a replayed CSV: the open time its first row was laid onto. */
  replayStart?: number;
}

/** Deterministic: the same candles as the built-in simulated market (seeded by symbol, ADR 034). */
export function generatedSource(): CandleSource {
  return {
    resolutions: Object.keys(RESOLUTION_MS) as Resolution[],
    candles(symbol, resolution, from, to) {
      const ms = RESOLUTION_MS[resolution];
      return simulatedCandles(symbol, resolution, to + ms, (to - from) / ms + 1);
    },
  };
}

/**
 * A CSV's price path laid onto the present: its last row is the candle in progress at `startedAt`,
 * the rows before it are history, and after it the path repeats from its first row, so closes line
 * up with the real clock. Every symbol gets the same path (one CSV, one market shape).
 */
export function csvSource(rows: Candle[], startedAt: number): CandleSource {
  if (rows.length < 2) throw new Error("The candle CSV needs at least two rows.");
  const ms = rows[1].time - rows[0].time;
  const resolution = (Object.keys(RESOLUTION_MS) as Resolution[]).find((r) => RESOLUTION_MS[r] === ms);
  if (!resolution)
    throw new Error(`The candle CSV's rows are ${ms} ms apart, which is no supported resolution.`);
  rows.forEach((row, i) => {
    if (i > 0 && row.time - rows[i - 1].time !== ms)
      throw new Error(`The candle CSV's row ${i + 1} is not ${ms} ms after the previous one.`);
  });
  const anchor = Math.floor(startedAt / ms) * ms - (rows.length - 1) * ms;
  return {
    resolutions: [resolution],
    replayStart: anchor,
    candles(_symbol, _resolution, from, to) {
      const out: Candle[] = [];
      for (let time = from; time <= to; time += ms) {
        const index = (time - anchor) / ms;
        const row = rows[((index % rows.length) + rows.length) % rows.length];
        out.push({ ...row, time });
      }
      return out;
    },
  };
}
