// Reads a candle file for `data import`: the CLI's CSV or a Binance kline dump, every row checked, every problem named by its line.
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import { CANDLE_CSV_COLUMNS, parseCsvTime } from "../../worker/runtime/csv-candles";

/** "candlecast": time,open,high,low,close,volume (header). "binance": data.binance.vision's 12-column klines. */
export type CandleFileFormat = "candlecast" | "binance";

export interface FileProblem {
  line: number;
  message: string;
}

export interface CandleFile {
  format: CandleFileFormat | null;
  candles: Candle[];
  problems: FileProblem[];
}

const BINANCE_COLUMNS = 12;
/** Binance's spot dumps give open times in microseconds since 2025; anything this large is not milliseconds. */
const MICROSECONDS_FROM = 1e14;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const iso = (ms: number) => new Date(ms).toISOString();

function detectFormat(cells: string[]): { format: CandleFileFormat; header: boolean } | null {
  const first = cells[0].toLowerCase();
  if (first === "time") return { format: "candlecast", header: true };
  if (first === "open_time") return { format: "binance", header: true };
  if (cells.length === BINANCE_COLUMNS) return { format: "binance", header: false };
  if (cells.length === CANDLE_CSV_COLUMNS.length) return { format: "candlecast", header: false };
  return null;
}

function binanceOpenTime(raw: string): number | string {
  if (!/^\d+$/.test(raw)) return `open time "${raw}" is not epoch milliseconds or microseconds`;
  const value = Number(raw);
  if (value < MICROSECONDS_FROM) return value;
  if (value % 1000 !== 0) return `open time ${raw} µs is not a whole millisecond`;
  return value / 1000;
}

function candleTime(raw: string): number | string {
  return parseCsvTime(raw) ?? `time "${raw}" is neither epoch milliseconds nor an ISO date`;
}

/** What is wrong with one candle's values, if anything (its time off the resolution's boundaries, given one). */
function candleProblems(c: Candle, resolution: Resolution | undefined): string[] {
  const problems: string[] = [];
  if (c.high < Math.max(c.open, c.close))
    problems.push(`high ${c.high} is below max(open, close) ${Math.max(c.open, c.close)}`);
  if (c.low > Math.min(c.open, c.close))
    problems.push(`low ${c.low} is above min(open, close) ${Math.min(c.open, c.close)}`);
  if (c.volume < 0) problems.push(`volume ${c.volume} is negative`);
  if (resolution && c.time % RESOLUTION_MS[resolution] !== 0)
    problems.push(`time ${iso(c.time)} is not on a ${resolution} boundary`);
  return problems;
}

/** Every candle of the file and every problem with it; without `resolution` times may sit anywhere (the simulator's replay). */
export function readCandleFile(text: string, resolution?: Resolution): CandleFile {
  const candles: Candle[] = [];
  const problems: FileProblem[] = [];
  let format: CandleFileFormat | null = null;
  let previous: { time: number; line: number } | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const row = lines[i].trim();
    if (!row || row.startsWith("#")) continue;
    const cells = row.split(",").map((c) => c.trim());
    if (format === null) {
      const detected = detectFormat(cells);
      if (!detected) {
        problems.push({
          line,
          message:
            `${cells.length} columns: expected ${CANDLE_CSV_COLUMNS.join(",")} (with its header) ` +
            `or a Binance kline dump (${BINANCE_COLUMNS} columns)`,
        });
        break;
      }
      format = detected.format;
      if (detected.header) {
        if (format === "candlecast" && cells.join(",").toLowerCase() !== CANDLE_CSV_COLUMNS.join(","))
          problems.push({ line, message: `the header must be ${CANDLE_CSV_COLUMNS.join(",")}` });
        continue;
      }
    }
    const width = format === "binance" ? BINANCE_COLUMNS : CANDLE_CSV_COLUMNS.length;
    if (cells.length !== width) {
      problems.push({ line, message: `${cells.length} columns where the file's rows have ${width}` });
      continue;
    }
    const lineProblems: string[] = [];
    const time = format === "binance" ? binanceOpenTime(cells[0]) : candleTime(cells[0]);
    if (typeof time === "string") lineProblems.push(time);
    const values = CANDLE_CSV_COLUMNS.slice(1).map((name, k) => {
      const raw = cells[k + 1];
      if (!NUMBER.test(raw)) lineProblems.push(`${name} "${raw}" is not a number`);
      return Number(raw);
    });
    if (typeof time === "number") {
      if (previous && time === previous.time)
        lineProblems.push(`time ${iso(time)} repeats line ${previous.line}`);
      else if (previous && time < previous.time)
        lineProblems.push(`time ${iso(time)} is before line ${previous.line}'s (rows must be oldest first)`);
      previous = { time, line };
    }
    if (lineProblems.length === 0) {
      const [open, high, low, close, volume] = values;
      const candle = { time: time as number, open, high, low, close, volume };
      lineProblems.push(...candleProblems(candle, resolution));
      candles.push(candle);
    }
    problems.push(...lineProblems.map((message) => ({ line, message })));
  }
  if (format !== null && candles.length === 0 && problems.length === 0)
    problems.push({ line: lines.length, message: "the file has no candles" });
  if (format === null && problems.length === 0) problems.push({ line: 1, message: "the file is empty" });
  return { format, candles, problems };
}
