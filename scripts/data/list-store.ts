// `data list`: what the candle store holds per market (range, counts, missing ranges), as a table or JSON.
import { RESOLUTION_MS, type Resolution } from "../../db/contracts/domain";
import type { Db } from "../../db/store/client";
import { missingRanges, type MissingRange } from "../../db/store/queries/candle-gaps";
import { listStoredMarkets, type StoredRange } from "../../db/store/queries/candles";
import { formatSpan, formatTime } from "./format-time";
import { count } from "./output";

export interface StoredMarketReport extends StoredRange {
  gaps: MissingRange[];
}

export async function describeStore(db: Db): Promise<StoredMarketReport[]> {
  const markets = await listStoredMarkets(db);
  return Promise.all(
    markets.map(async (m) => ({
      ...m,
      gaps: await missingRanges(db, m, RESOLUTION_MS[m.resolution as Resolution]),
    })),
  );
}

/** Gaps listed per market; the rest are summed up on one line. */
const GAPS_SHOWN = 3;

const COLUMNS = [
  { title: "source" },
  { title: "symbol" },
  { title: "res" },
  { title: "from" },
  { title: "to" },
  { title: "span", right: true },
  { title: "candles", right: true },
  { title: "filled", right: true },
  { title: "missing", right: true },
];

const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? "" : "s"}`;

/** One market's gaps: the first few with their ranges and lengths, then how many more and what they lack. */
function gapLines(r: StoredMarketReport): string[] {
  const ms = RESOLUTION_MS[r.resolution as Resolution];
  const lines = r.gaps
    .slice(0, GAPS_SHOWN)
    .map(
      (g) =>
        `  gap ${formatTime(g.from)} → ${formatTime(g.to + ms)}  ` +
        `${plural(g.missing, "candle")} (${formatSpan(g.missing * ms)})`,
    );
  const rest = r.gaps.slice(GAPS_SHOWN);
  if (rest.length > 0)
    lines.push(
      `  … ${plural(rest.length, "more gap")}, ${plural(
        rest.reduce((n, g) => n + g.missing, 0),
        "candle",
      )} missing`,
    );
  return lines;
}

/**
 * The table: one aligned row per market, its range from the first open to the last candle's close
 * and how long that is, then its gaps under it.
 */
export function renderStoreTable(reports: StoredMarketReport[]): string {
  if (reports.length === 0) return "The candle store is empty.\n";
  const rows = reports.map((r) => {
    const ms = RESOLUTION_MS[r.resolution as Resolution];
    const missing = r.gaps.reduce((n, g) => n + g.missing, 0);
    return [
      r.source,
      r.symbol,
      r.resolution,
      formatTime(r.from),
      formatTime(r.to + ms),
      formatSpan(r.to + ms - r.from),
      count(r.count),
      count(r.filled),
      missing === 0 ? "none" : `${count(missing)} in ${plural(r.gaps.length, "gap")}`,
    ];
  });
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (COLUMNS[i].right ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const out = [line(COLUMNS.map((c) => c.title))];
  reports.forEach((r, i) => out.push(line(rows[i]), ...gapLines(r)));
  return out.join("\n") + "\n";
}
