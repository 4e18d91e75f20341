// `data list`: what the candle store holds per market (range, counts, missing ranges), as a table or JSON.
import { RESOLUTION_MS, type Resolution } from "../../db/contracts/domain";
import type { Db } from "../../db/store/client";
import { missingRanges, type MissingRange } from "../../db/store/queries/candle-gaps";
import { listStoredMarkets, type StoredRange } from "../../db/store/queries/candles";
import { formatTime } from "./format-time";

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

const HEADER = ["source", "symbol", "res", "first", "last", "candles", "filled", "missing"];

export function renderStoreTable(reports: StoredMarketReport[]): string {
  if (reports.length === 0) return "The candle store is empty.\n";
  const rows = reports.map((r) => {
    const missing = r.gaps.reduce((n, g) => n + g.missing, 0);
    return [
      r.source,
      r.symbol,
      r.resolution,
      formatTime(r.from),
      formatTime(r.to),
      r.count.toLocaleString("en"),
      r.filled.toLocaleString("en"),
      missing === 0 ? "0" : `${missing.toLocaleString("en")} in ${r.gaps.length} gap(s)`,
    ];
  });
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const out = [line(HEADER)];
  reports.forEach((r, i) => {
    out.push(line(rows[i]));
    for (const g of r.gaps)
      out.push(`    gap ${formatTime(g.from)} .. ${formatTime(g.to)} (${g.missing.toLocaleString("en")} missing)`);
  });
  return out.join("\n") + "\n";
}
