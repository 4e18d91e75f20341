// Where the simulator's candles come from: the built-in generated market, or a candle file replayed onto the present.
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import { fillGaps } from "../../worker/market-data/fill-gaps";
import { simulatedCandles } from "../../worker/market-data/simulated-feed";

export interface CandleSource {
  /** Resolutions this source can serve. */
  resolutions: readonly Resolution[];
  /** Candles with open time in [from, to] (both aligned), oldest first; a symbol's gaps are simply absent. */
  candles(symbol: string, resolution: Resolution, from: number, to: number): Candle[];
  /** The resolution whose candles the price path through a candle of `resolution` walks (ADR 122). */
  pathResolution(resolution: Resolution): Resolution;
  /** For a replayed file: the open time its first row was laid onto. */
  replayStart?: number;
}

const RESOLUTIONS = Object.keys(RESOLUTION_MS) as Resolution[];

/**
 * Deterministic: the same candles as the built-in simulated market (seeded by symbol, ADR 034). Its
 * resolutions are computed apart (only their closes agree), so a candle's path walks its own candle.
 */
export function generatedSource(): CandleSource {
  return {
    resolutions: RESOLUTIONS,
    candles(symbol, resolution, from, to) {
      const ms = RESOLUTION_MS[resolution];
      return simulatedCandles(symbol, resolution, to + ms, (to - from) / ms + 1);
    },
    pathResolution: (resolution) => resolution,
  };
}

/** The resolution of rows `ms` apart at their closest, or an error naming what is wrong with the spacing. */
function fileResolution(rows: Candle[]): Resolution {
  const spacing = Math.min(...rows.slice(1).map((row, i) => row.time - rows[i].time));
  const resolution = RESOLUTIONS.find((r) => RESOLUTION_MS[r] === spacing);
  if (!resolution)
    throw new Error(`The candle file's rows are ${spacing} ms apart, which is no supported resolution.`);
  rows.forEach((row, i) => {
    if (i > 0 && (row.time - rows[i - 1].time) % spacing !== 0)
      throw new Error(
        `The candle file's row ${i + 1} is not a whole number of ${resolution} candles after the previous one.`,
      );
  });
  return resolution;
}

/**
 * A file's price path laid onto the present: its last row is the candle in progress at `startedAt`,
 * the rows before it are history, and after it the path repeats from its first row, so closes line
 * up with the real clock. Every symbol gets the same path (one file, one market shape). Holes in the
 * file (nothing traded) are filled by the live rule. Every coarser resolution is the aggregate of the
 * file's rows over its UTC-aligned span (ADR 123): open of the first, highest high, lowest low, close
 * of the last, summed volume.
 */
export function csvSource(fileRows: Candle[], startedAt: number): CandleSource {
  if (fileRows.length < 2) throw new Error("The candle file needs at least two rows.");
  const base = fileResolution(fileRows);
  const ms = RESOLUTION_MS[base];
  const rows = fillGaps(fileRows, fileRows[0].time, fileRows.at(-1)!.time + ms, ms, null);
  const anchor = Math.floor(startedAt / ms) * ms - (rows.length - 1) * ms;
  const rowAt = (time: number) => {
    const index = (time - anchor) / ms;
    return rows[((index % rows.length) + rows.length) % rows.length];
  };
  return {
    resolutions: RESOLUTIONS.filter((r) => RESOLUTION_MS[r] >= ms && RESOLUTION_MS[r] % ms === 0),
    replayStart: anchor,
    pathResolution: () => base,
    candles(_symbol, resolution, from, to) {
      const span = RESOLUTION_MS[resolution];
      const out: Candle[] = [];
      for (let time = from; time <= to; time += span) {
        const first = rowAt(time);
        const candle = {
          time,
          open: first.open,
          high: first.high,
          low: first.low,
          close: first.close,
          volume: 0,
        };
        for (let t = time; t < time + span; t += ms) {
          const row = rowAt(t);
          if (row.high > candle.high) candle.high = row.high;
          if (row.low < candle.low) candle.low = row.low;
          candle.close = row.close;
          candle.volume += row.volume;
        }
        out.push(candle);
      }
      return out;
    },
  };
}
