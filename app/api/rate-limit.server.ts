// Per-token request limits in fixed windows, counted in the shared cache so every web replica sees the same count.
import type { Cache } from "../../db/infra/cache";

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export const API_RATE_LIMIT: RateLimit = { limit: 120, windowMs: 60_000 };

export type RateDecision =
  | { ok: true; limit: number; remaining: number; resetS: number }
  | { ok: false; limit: number; remaining: 0; resetS: number; retryAfterS: number };

/**
 * Counts one request of `key`. The get-then-set is not atomic: concurrent requests of one token can
 * under-count by the few that race, which a limit meant to stop runaway scripts tolerates.
 */
export async function hitRateLimit(
  cache: Cache,
  key: string,
  rule: RateLimit = API_RATE_LIMIT,
  now = Date.now(),
): Promise<RateDecision> {
  const window = Math.floor(now / rule.windowMs);
  const resetAt = (window + 1) * rule.windowMs;
  const resetS = Math.max(1, Math.ceil((resetAt - now) / 1000));
  const cacheKey = `ratelimit:${key}:${window}`;
  const count = Number((await cache.get(cacheKey)) ?? 0);
  if (count >= rule.limit) return { ok: false, limit: rule.limit, remaining: 0, resetS, retryAfterS: resetS };
  await cache.set(cacheKey, String(count + 1), resetAt - now + 1000);
  return { ok: true, limit: rule.limit, remaining: rule.limit - count - 1, resetS };
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(d.limit),
    "X-RateLimit-Remaining": String(d.remaining),
    "X-RateLimit-Reset": String(d.resetS),
    ...(d.ok ? {} : { "Retry-After": String(d.retryAfterS) }),
  };
}
