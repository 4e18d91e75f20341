// Where a stored market has no candle: its missing open times as ranges, found in SQL (a market may hold millions of rows).
import { and, count, eq, gte, lt, max, min, sql } from "drizzle-orm";
import type { Db } from "../client";
import { candles } from "../schema";
import type { Market } from "./candles";

export interface MissingRange {
  /** Open time of the first missing candle. */
  from: number;
  /** Open time of the last missing candle (inclusive). */
  to: number;
  missing: number;
}

const range = (from: number, to: number, ms: number): MissingRange => ({
  from,
  to,
  missing: (to - from) / ms + 1,
});

/**
 * The open times stepping `ms` in [from, to) that have no stored candle, as ranges, oldest first.
 * Without bounds: the holes between the market's first and last stored candle.
 */
export async function missingRanges(
  db: Db,
  market: Market,
  ms: number,
  bounds?: { from: number; to: number },
): Promise<MissingRange[]> {
  const where = and(
    eq(candles.source, market.source),
    eq(candles.symbol, market.symbol),
    eq(candles.resolution, market.resolution),
    bounds ? gte(candles.time, bounds.from) : undefined,
    bounds ? lt(candles.time, bounds.to) : undefined,
  );
  const [edges] = await db
    .select({ first: min(candles.time), last: max(candles.time), count: count() })
    .from(candles)
    .where(where);
  if (edges.count === 0 || edges.first === null || edges.last === null)
    return bounds && bounds.from < bounds.to ? [range(bounds.from, bounds.to - ms, ms)] : [];
  const holes = await db.all<{ after: number; before: number }>(sql`
    SELECT prev AS after, time AS before FROM (
      SELECT ${candles.time} AS time, lag(${candles.time}) OVER (ORDER BY ${candles.time}) AS prev
      FROM ${candles} WHERE ${where}
    ) WHERE time - prev > ${ms} ORDER BY time`);
  const inside = holes.map((h) => range(Number(h.after) + ms, Number(h.before) - ms, ms));
  if (!bounds) return inside;
  return [
    ...(edges.first > bounds.from ? [range(bounds.from, edges.first - ms, ms)] : []),
    ...inside,
    ...(edges.last < bounds.to - ms ? [range(edges.last + ms, bounds.to - ms, ms)] : []),
  ];
}
