// Sign-ups waiting for their emailed code (ADR 163): one live per email, attempts counted atomically, claimed once.
import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { pendingSignUps } from "../schema";

export type PendingSignUp = typeof pendingSignUps.$inferSelect;
type NewPendingSignUp = Pick<
  PendingSignUp,
  "id" | "email" | "name" | "passwordHash" | "codeHash" | "sentAt" | "expiresAt"
>;

/** Rows this long past their expiry are deleted by the next request: a resend could still have renewed them. */
const KEEP_EXPIRED_MS = 24 * 60 * 60_000;

/** Stores a sign-up, replacing the email's earlier one (its code and its browser's id stop working). */
export async function putPendingSignUp(db: Db, row: NewPendingSignUp): Promise<void> {
  await db.batch([
    db.delete(pendingSignUps).where(lt(pendingSignUps.expiresAt, row.sentAt - KEEP_EXPIRED_MS)),
    db
      .insert(pendingSignUps)
      .values(row)
      .onConflictDoUpdate({
        target: pendingSignUps.email,
        set: { ...row, attempts: 0, sends: 1, createdAt: row.sentAt },
      }),
  ]);
}

export async function findPendingSignUp(db: Db, id: string): Promise<PendingSignUp | undefined> {
  return db.query.pendingSignUps.findFirst({ where: eq(pendingSignUps.id, id) });
}

/** Counts one code attempt and returns the count, this one included (concurrent guesses each take a number). */
export async function countCodeAttempt(db: Db, id: string): Promise<number | null> {
  const [row] = await db
    .update(pendingSignUps)
    .set({ attempts: sql`${pendingSignUps.attempts} + 1` })
    .where(eq(pendingSignUps.id, id))
    .returning({ attempts: pendingSignUps.attempts });
  return row?.attempts ?? null;
}

/** A new code for the sign-up when its last one was sent at `lastSentAt` (no concurrent resend won); false otherwise. */
export async function renewCode(
  db: Db,
  id: string,
  lastSentAt: number,
  next: Pick<PendingSignUp, "codeHash" | "sentAt" | "expiresAt">,
): Promise<boolean> {
  const rows = await db
    .update(pendingSignUps)
    .set({ ...next, attempts: 0, sends: sql`${pendingSignUps.sends} + 1` })
    .where(and(eq(pendingSignUps.id, id), eq(pendingSignUps.sentAt, lastSentAt)))
    .returning({ id: pendingSignUps.id });
  return rows.length > 0;
}

/** Deletes the sign-up if it still holds `codeHash`, returning it: of concurrent right answers, one gets it. */
export async function claimPendingSignUp(
  db: Db,
  id: string,
  codeHash: string,
): Promise<PendingSignUp | undefined> {
  const [row] = await db
    .delete(pendingSignUps)
    .where(and(eq(pendingSignUps.id, id), eq(pendingSignUps.codeHash, codeHash)))
    .returning();
  return row;
}
