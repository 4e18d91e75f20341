// Reads candles from CSV text (time,open,high,low,close,volume; time as epoch ms or ISO 8601; header optional).
import { candleSchema, type Candle } from "../../db/contracts/domain";

export class CandleCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CandleCsvError";
  }
}

export const CANDLE_CSV_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/** A time cell: epoch milliseconds or an ISO 8601 date; null when it is neither. */
export function parseCsvTime(raw: string): number | null {
  if (/^-?\d+$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : ms;
}

function parseTime(raw: string, line: number): number {
  const ms = parseCsvTime(raw);
  if (ms === null)
    throw new CandleCsvError(`line ${line}: time "${raw}" is neither epoch milliseconds nor an ISO date`);
  return ms;
}

export function parseCandleCsv(text: string): Candle[] {
  const lines = text.split(/\r?\n/);
  const out: Candle[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const cells = line.split(",").map((c) => c.trim());
    if (out.length === 0 && cells[0].toLowerCase() === "time") {
      if (cells.join(",").toLowerCase() !== CANDLE_CSV_COLUMNS.join(",")) {
        throw new CandleCsvError(`line ${i + 1}: header must be ${CANDLE_CSV_COLUMNS.join(",")}`);
      }
      return;
    }
    if (cells.length !== CANDLE_CSV_COLUMNS.length)
      throw new CandleCsvError(
        `line ${i + 1}: expected 6 columns (${CANDLE_CSV_COLUMNS.join(",")}), got ${cells.length}`,
      );
    const row = {
      time: parseTime(cells[0], i + 1),
      open: Number(cells[1]),
      high: Number(cells[2]),
      low: Number(cells[3]),
      close: Number(cells[4]),
      volume: Number(cells[5]),
    };
    const parsed = candleSchema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CandleCsvError(`line ${i + 1}: ${String(issue.path[0])} ${issue.message}`);
    }
    const prev = out[out.length - 1];
    if (prev && parsed.data.time <= prev.time)
      throw new CandleCsvError(`line ${i + 1}: times must increase (oldest first)`);
    out.push(parsed.data);
  });
  if (out.length === 0) throw new CandleCsvError("no candles in the file");
  return out;
}
