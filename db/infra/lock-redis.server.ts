// Redis lock: SET NX PX with a random token; extend and release are compare-then-act Lua scripts.
import type { Redis } from "ioredis";
import { createLockHandle, newLockToken, type Lock, type TokenOps } from "./lock";
import { assertTtl } from "./ttl";

// Only the holder's token may extend or delete: a holder that paused past its TTL must not touch
// the lock someone else took since. GET-then-DEL from the client would race, so the check runs in Redis.
const EXTEND_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`;

const RELEASE_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

type LockScripts = {
  candlecastExtendLock(key: string, token: string, ttlMs: number): Promise<number>;
  candlecastReleaseLock(key: string, token: string): Promise<number>;
};

/** Keys go through the client's keyPrefix (ioredis prefixes KEYS of defined commands too). */
export function createRedisLock(redis: Redis): Lock {
  // defineCommand sends EVALSHA and falls back to EVAL once after a NOSCRIPT (e.g. after SCRIPT FLUSH or a restart).
  redis.defineCommand("candlecastExtendLock", { numberOfKeys: 1, lua: EXTEND_IF_OWNER });
  redis.defineCommand("candlecastReleaseLock", { numberOfKeys: 1, lua: RELEASE_IF_OWNER });
  const scripts = redis as unknown as LockScripts;

  const ops: TokenOps = {
    async extend(key, token, ttlMs) {
      assertTtl(ttlMs);
      return (await scripts.candlecastExtendLock(key, token, ttlMs)) === 1;
    },
    async release(key, token) {
      return (await scripts.candlecastReleaseLock(key, token)) === 1;
    },
  };

  return {
    async acquire(key, ttlMs) {
      assertTtl(ttlMs);
      const token = newLockToken();
      const reply = await redis.set(key, token, "PX", ttlMs, "NX");
      return reply === "OK" ? createLockHandle(key, token, ops) : null;
    },
  };
}
