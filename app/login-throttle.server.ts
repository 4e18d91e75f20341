// Login rate limiting: failed attempts counted in the shared cache (Redis across replicas, in-process when embedded).
import { z } from "zod";
import type { Cache } from "../db/infra/cache";

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Per (email, client address): a person mistyping is never stopped by this. */
export const MAX_FAILURES_PER_CLIENT = 5;
/**
 * Per email whatever the address: X-Forwarded-For can be forged to rotate "clients", so this caps
 * the guessing rate on one account (at the cost that a flood can lock its owner out for 15 minutes).
 */
export const MAX_FAILURES_PER_EMAIL = 20;

const counterSchema = z.object({ count: z.number().int(), resetAt: z.number() });

export function clientAddress(request: Request): string {
  return (
    request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ||
    request.headers.get("x-real-ip") ||
    "local"
  );
}

export function createLoginThrottle(cache: Cache, now: () => number = Date.now) {
  const keys = (email: string, client: string) => [
    { key: `login-fail:${email}:${client}`, max: MAX_FAILURES_PER_CLIENT },
    { key: `login-fail:${email}`, max: MAX_FAILURES_PER_EMAIL },
  ];

  return {
    /** Minutes until the next attempt is allowed, or 0 when allowed now. */
    async blockedForMinutes(email: string, client: string): Promise<number> {
      for (const { key, max } of keys(email, client)) {
        const c = await cache.getJson(key, counterSchema);
        if (c && c.count >= max && c.resetAt > now()) return Math.ceil((c.resetAt - now()) / 60_000);
      }
      return 0;
    },
    // Read-then-write is not atomic: two simultaneous failures may count once; the limit stays the same order of magnitude.
    async recordFailure(email: string, client: string): Promise<void> {
      for (const { key } of keys(email, client)) {
        const c = await cache.getJson(key, counterSchema);
        const fresh = !c || c.resetAt <= now();
        const next = fresh
          ? { count: 1, resetAt: now() + LOGIN_WINDOW_MS }
          : { count: c.count + 1, resetAt: c.resetAt };
        await cache.setJson(key, next, next.resetAt - now());
      }
    },
    async recordSuccess(email: string, client: string): Promise<void> {
      await cache.del(`login-fail:${email}:${client}`);
    },
  };
}
