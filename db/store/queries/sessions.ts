// Server-side login sessions: a random id in a signed cookie, the row decides who is signed in.
import { and, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../client";
import { sessions, users } from "../schema";

export const SESSION_TTL_MS = 30 * 24 * 3600_000;

/** 256 random bits, base64url: a session id must not be guessable (UUIDv7 is partly a clock). */
function randomSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export async function createSession(db: Db, userId: string, now = Date.now()) {
  const session = { id: randomSessionId(), userId, expiresAt: now + SESSION_TTL_MS };
  await db.insert(sessions).values(session);
  return session;
}

/** The signed-in user of an unexpired session, or undefined. */
export async function getSessionUser(db: Db, sessionId: string, now = Date.now()) {
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)))
    .limit(1);
  return rows[0];
}

export async function deleteSession(db: Db, sessionId: string) {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function deleteExpiredSessions(db: Db, now = Date.now()) {
  const rows = await db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.id });
  return rows.length;
}
