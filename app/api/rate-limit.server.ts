// API request limits in fixed one-minute windows, per token and per user (all of a user's tokens together),
// counted atomically in the shared cache so every web replica sees the same count.
import type { Cache } from "../../db/infra/cache";
import type { UserLimits } from "../../db/contracts/user-limits";

export const RATE_WINDOW_MS = 60_000;

export type RateScope = "token" | "user";

export type RateDecision = { scope: RateScope; limit: number; resetS: number } & (
  { ok: true; remaining: number } | { ok: false; remaining: 0; retryAfterS: number }
);

/** Counts one request of `key` in the current window (concurrent requests each take their own number). */
export async function hitRateLimit(
  cache: Cache,
  scope: RateScope,
  key: string,
  limit: number,
  now = Date.now(),
): Promise<RateDecision> {
  const window = Math.floor(now / RATE_WINDOW_MS);
  const resetAt = (window + 1) * RATE_WINDOW_MS;
  const resetS = Math.max(1, Math.ceil((resetAt - now) / 1000));
  const count = await cache.increment(`ratelimit:${key}:${window}`, resetAt - now + 1000);
  if (count > limit) return { ok: false, scope, limit, remaining: 0, resetS, retryAfterS: resetS };
  return { ok: true, scope, limit, remaining: limit - count, resetS };
}

/** Both limits count the request; the answer reports the one that refused it, else the one nearer its end. */
export async function hitApiRateLimits(
  cache: Cache,
  caller: { tokenId: string; userId: string },
  limits: UserLimits,
  now = Date.now(),
): Promise<RateDecision> {
  const [token, user] = await Promise.all([
    hitRateLimit(cache, "token", `api:${caller.tokenId}`, limits.apiRequestsPerMinutePerToken, now),
    hitRateLimit(cache, "user", `api-user:${caller.userId}`, limits.apiRequestsPerMinutePerUser, now),
  ]);
  if (!token.ok) return token;
  if (!user.ok) return user;
  return token.remaining <= user.remaining ? token : user;
}

export function rateLimitMessage(d: Extract<RateDecision, { ok: false }>): string {
  const whose = d.scope === "token" ? "this token" : "your account (all its tokens together)";
  return `Rate limit of ${whose} reached: ${d.limit} requests per minute; retry in ${d.retryAfterS} s`;
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(d.limit),
    "X-RateLimit-Remaining": String(d.remaining),
    "X-RateLimit-Reset": String(d.resetS),
    "X-RateLimit-Scope": d.scope,
    ...(d.ok ? {} : { "Retry-After": String(d.retryAfterS) }),
  };
}
