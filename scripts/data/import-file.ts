// `data import`: a candle file into the candle store, whole or not at all; holes inside it filled by the one rule.
import { RESOLUTION_MS, type Resolution } from "../../db/contracts/domain";
import type { Db } from "../../db/store/client";
import { insertCandles } from "../../db/store/queries/candles";
import { fillGaps } from "../../worker/market-data/fill-gaps";
import { readCandleFile, type CandleFileFormat } from "./candle-file";

/** Exit code 1: the file has bad rows (each named by its line) and nothing was stored. */
export class BadFileError extends Error {
  override name = "BadFileError";
}

export interface ImportRequest {
  /** Shown in messages. */
  fileName: string;
  text: string;
  source: string;
  symbol: string;
  resolution: Resolution;
}

export interface ImportSummary {
  format: CandleFileFormat;
  /** Rows in the file. */
  rows: number;
  /** Candles added for open times the file leaves out inside its range. */
  filled: number;
  /** Candles new to the store (a candle already stored is kept). */
  inserted: number;
  from: number;
  to: number;
}

const SHOWN_PROBLEMS = 20;

export async function importCandleFile(db: Db, request: ImportRequest): Promise<ImportSummary> {
  const { resolution } = request;
  const file = readCandleFile(request.text, resolution);
  if (file.problems.length > 0 || file.format === null) {
    const shown = file.problems.slice(0, SHOWN_PROBLEMS).map((p) => `  line ${p.line}: ${p.message}`);
    const more = file.problems.length - shown.length;
    throw new BadFileError(
      [
        `${request.fileName}: nothing was stored, ${file.problems.length} problem(s):`,
        ...shown,
        ...(more > 0 ? [`  … and ${more} more`] : []),
      ].join("\n"),
    );
  }
  const ms = RESOLUTION_MS[resolution];
  const from = file.candles[0].time;
  const to = file.candles.at(-1)!.time;
  const rows = fillGaps(file.candles, from, to + ms, ms, null);
  const market = { source: request.source, symbol: request.symbol, resolution };
  const inserted = await insertCandles(db, market, rows);
  return {
    format: file.format,
    rows: file.candles.length,
    filled: rows.length - file.candles.length,
    inserted,
    from,
    to,
  };
}
