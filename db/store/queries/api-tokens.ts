// Personal API tokens: created shown-once, stored as a SHA-256 hash, looked up by hash, revoked by their owner.
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../../platform/ids";
import { apiTokens, users } from "../schema";

/** Every token starts with this, so a leaked one is easy to recognise (secret scanners, logs). */
export const TOKEN_PREFIX = "cc_";
/** last_used_at is written at most this often per token: one write per request would serialise the API on libSQL. */
const LAST_USED_RESOLUTION_MS = 60_000;

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Live (not revoked) tokens per user: the per-token rate limit would otherwise multiply with their number. */
export const MAX_LIVE_TOKENS = 10;

/** The user already holds MAX_LIVE_TOKENS live tokens: revoke one first. */
export class TokenLimitError extends Error {
  readonly field = "name";
  constructor() {
    super(`You already have ${MAX_LIVE_TOKENS} live tokens: revoke one you no longer use first`);
  }
}

/** Creates a token; the returned `token` is the only time the secret exists outside its hash. */
export async function createApiToken(db: Db, userId: string, name: string) {
  const token = TOKEN_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
  const row = {
    id: newId(),
    userId,
    name,
    tokenHash: await hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
  };
  // The count and the insert are one statement, so concurrent creations cannot pass the cap together.
  const inserted = await db.run(sql`
    INSERT INTO api_tokens (id, user_id, name, token_hash, prefix)
    SELECT ${row.id}, ${userId}, ${name}, ${row.tokenHash}, ${row.prefix}
    WHERE (SELECT count(*) FROM api_tokens WHERE user_id = ${userId} AND revoked_at IS NULL) < ${MAX_LIVE_TOKENS}`);
  if (inserted.rowsAffected === 0) throw new TokenLimitError();
  return { id: row.id, name, prefix: row.prefix, token };
}

export async function listApiTokens(db: Db, userId: string) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
}

/** Revokes the owner's token; null for another user's id, `revoked: false` when it already was. */
export async function revokeApiToken(db: Db, userId: string, tokenId: string, now = Date.now()) {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (rows[0]) return { revoked: true as const };
  const existing = await db.query.apiTokens.findFirst({
    where: and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)),
    columns: { id: true },
  });
  return existing ? { revoked: false as const } : null;
}

/** The user a bearer token authenticates, or null for an unknown or revoked one. */
export async function authenticateApiToken(db: Db, token: string, now = Date.now()) {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const rows = await db
    .select({
      tokenId: apiTokens.id,
      userId: apiTokens.userId,
      lastUsedAt: apiTokens.lastUsedAt,
      name: users.name,
      email: users.email,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, await hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  const found = rows[0];
  if (!found) return null;
  if (found.lastUsedAt === null || now - found.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, found.tokenId));
  }
  return { tokenId: found.tokenId, userId: found.userId, name: found.name, email: found.email };
}
