// Idempotency keys of API POSTs: claim a key for one request, store its answer, replay it (ADR 166).
import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { idempotencyKeys } from "../schema";

/** A key and its stored answer live this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** A claim this old without an answer is taken over: its request died with its process. */
export const IDEMPOTENCY_ABANDONED_MS = 5 * 60_000;

export interface StoredAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type Claim =
  | { kind: "claimed" }
  | { kind: "replay"; answer: StoredAnswer }
  | { kind: "other_request" }
  | { kind: "in_progress" };

/**
 * Claims `key` for the request with `fingerprint`, in one statement: a new key, an expired one or an
 * abandoned claim is ours; otherwise the row says whether to replay its answer or refuse.
 */
export async function claimIdempotencyKey(
  db: Db,
  userId: string,
  key: string,
  fingerprint: string,
  now = Date.now(),
): Promise<Claim> {
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ userId, key, fingerprint, createdAt: now })
    .onConflictDoUpdate({
      target: [idempotencyKeys.userId, idempotencyKeys.key],
      set: { fingerprint, status: null, response: null, createdAt: now },
      setWhere: sql`${idempotencyKeys.createdAt} < ${now - IDEMPOTENCY_TTL_MS} OR (${idempotencyKeys.status} IS NULL AND ${idempotencyKeys.createdAt} < ${now - IDEMPOTENCY_ABANDONED_MS})`,
    })
    .returning({ key: idempotencyKeys.key });
  if (claimed.length > 0) return { kind: "claimed" };
  const row = await db.query.idempotencyKeys.findFirst({
    where: and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)),
  });
  // Released between the two statements: the caller's retry claims it.
  if (!row) return claimIdempotencyKey(db, userId, key, fingerprint, now);
  if (row.fingerprint !== fingerprint) return { kind: "other_request" };
  if (row.status === null || !row.response) return { kind: "in_progress" };
  return { kind: "replay", answer: { status: row.status, ...row.response } };
}

export async function storeIdempotentAnswer(db: Db, userId: string, key: string, answer: StoredAnswer) {
  await db
    .update(idempotencyKeys)
    .set({ status: answer.status, response: { body: answer.body, headers: answer.headers } })
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
}

/** Gives a claimed key back unanswered (the request was refused before it changed anything, or failed). */
export async function releaseIdempotencyKey(db: Db, userId: string, key: string) {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.userId, userId),
        eq(idempotencyKeys.key, key),
        sql`${idempotencyKeys.status} IS NULL`,
      ),
    );
}

export async function deleteExpiredIdempotencyKeys(db: Db, now = Date.now()) {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
