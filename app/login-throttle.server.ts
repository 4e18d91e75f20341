// Login rate limiting in the shared cache (Redis across replicas, in-process when embedded): a cap per
// (email, client address), counted atomically before the password is checked, and a delay, never a
// lock, per email whatever the address. Sign-ups are capped per client address too.
import type { Cache } from "../db/infra/cache";

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Attempts per (email, client address) and window: a person mistyping is never stopped by this. */
export const MAX_ATTEMPTS_PER_CLIENT = 5;
/**
 * Failures per email, whatever the address (X-Forwarded-For can be forged to rotate "clients"), after
 * which every answer for that email is slowed: the guessing rate stays bounded, and the owner, who
 * only waits a little longer, is never locked out by someone else's flood.
 */
export const SLOW_AFTER_FAILURES_PER_EMAIL = 10;
const DELAY_STEP_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Sign-ups per client address and hour that reach the password hashing and a mail (ADR 163): bounds the
 * PBKDF2 work and the mails one client can cause.
 */
export const MAX_SIGNUPS_PER_CLIENT = 20;
export const SIGNUP_WINDOW_MS = 60 * 60_000;

export function clientAddress(request: Request): string {
  return (
    request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ||
    request.headers.get("x-real-ip") ||
    "local"
  );
}

export type Admission = { allowed: false; retryAfterSeconds: number } | { allowed: true; delayMs: number };

export function createLoginThrottle(cache: Cache) {
  const pairKey = (email: string, client: string) => `login-attempts:${email}:${client}`;
  const emailKey = (email: string) => `login-fail:${email}`;

  return {
    /**
     * Counts this attempt before any password work (concurrent guesses each take a number, so no more
     * than the cap get through) and says whether it may proceed, and how long to make it wait.
     */
    async admit(email: string, client: string): Promise<Admission> {
      const attempts = await cache.increment(pairKey(email, client), LOGIN_WINDOW_MS);
      if (attempts > MAX_ATTEMPTS_PER_CLIENT)
        return { allowed: false, retryAfterSeconds: LOGIN_WINDOW_MS / 1000 };
      const failures = Number((await cache.get(emailKey(email))) ?? 0);
      const over = failures - SLOW_AFTER_FAILURES_PER_EMAIL;
      return { allowed: true, delayMs: over > 0 ? Math.min(MAX_DELAY_MS, over * DELAY_STEP_MS) : 0 };
    },
    async recordFailure(email: string): Promise<void> {
      await cache.increment(emailKey(email), LOGIN_WINDOW_MS);
    },
    async recordSuccess(email: string, client: string): Promise<void> {
      await cache.del(pairKey(email, client));
    },
    /** Counts a sign-up of this client before its password is hashed; false past the cap. */
    async admitSignUp(client: string): Promise<boolean> {
      return (await cache.increment(`signup-attempts:${client}`, SIGNUP_WINDOW_MS)) <= MAX_SIGNUPS_PER_CLIENT;
    },
  };
}
