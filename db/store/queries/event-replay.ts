// Reading the outbox back for a reconnecting browser: one user's events after a sequence, and the retention bounds.
import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import type { OutboxEvent } from "../../contracts/events";
import { events } from "../schema";

/** Events older than this may be pruned; a browser that was away longer reloads its data instead. */
export const EVENT_RETENTION_MS = 7 * 24 * 3600_000;

export async function listUserEventsAfter(db: Db, userId: string, afterSeq: number, limit: number) {
  return db
    .select()
    .from(events)
    .where(and(eq(events.userId, userId), gt(events.seq, afterSeq)))
    .orderBy(asc(events.seq))
    .limit(limit);
}

/** Every user's events after a sequence, in order, as the live hub delivers them. */
export async function listEventsAfter(db: Db, afterSeq: number, limit: number): Promise<OutboxEvent[]> {
  const rows = await db
    .select()
    .from(events)
    .where(gt(events.seq, afterSeq))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map(toOutboxEvent);
}

export function toOutboxEvent(row: typeof events.$inferSelect): OutboxEvent {
  return {
    seq: row.seq,
    userId: row.userId,
    type: row.type as OutboxEvent["type"],
    payload: JSON.parse(row.payload),
    createdAt: row.createdAt,
  };
}

/** The highest sequence in the outbox (0 when empty): where a new live hub starts. */
export async function latestEventSeq(db: Db): Promise<number> {
  const [row] = await db.select({ latest: sql<number | null>`max(${events.seq})` }).from(events);
  return row?.latest ?? 0;
}

/** The lowest and highest sequence still stored (nulls when the outbox is empty). */
export async function outboxBounds(db: Db): Promise<{ oldest: number | null; latest: number | null }> {
  const [row] = await db
    .select({
      oldest: sql<number | null>`min(${events.seq})`,
      latest: sql<number | null>`max(${events.seq})`,
    })
    .from(events);
  return { oldest: row?.oldest ?? null, latest: row?.latest ?? null };
}

/** For the janitor: deletes events older than the retention window. */
export async function pruneEvents(db: Db, now = Date.now()) {
  const rows = await db
    .delete(events)
    .where(lt(events.createdAt, now - EVENT_RETENTION_MS))
    .returning({ seq: events.seq });
  return rows.length;
}
