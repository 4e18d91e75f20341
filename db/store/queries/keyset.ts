// Keyset pagination on (time, id), newest first: the page after a cursor without OFFSET scans.
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** Where a page ends: the (time, id) of its last row. */
export interface PageKey {
  t: number;
  id: string;
}

export interface PageRequest {
  after?: PageKey | null;
  limit: number;
}

/** Rows strictly after `after` in (time desc, id desc) order; undefined when there is no cursor. */
export function afterKey(
  time: SQLiteColumn,
  id: SQLiteColumn,
  after: PageKey | null | undefined,
): SQL | undefined {
  if (!after) return undefined;
  return or(lt(time, after.t), and(eq(time, after.t), lt(id, after.id)));
}

export const newestFirst = (time: SQLiteColumn, id: SQLiteColumn) => [desc(time), desc(id)];

/** Splits the limit + 1 rows a query fetched into the page and the key of the next page (null at the end). */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => PageKey) {
  const items = rows.slice(0, limit);
  const next = rows.length > limit && items.length > 0 ? keyOf(items[items.length - 1]) : null;
  return { items, next };
}
