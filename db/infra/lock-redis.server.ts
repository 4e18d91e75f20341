// Redis lock: SET NX PX with a random token (idempotent per token); extend and release are compare-then-act Lua scripts.
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

// ioredis resends a command whose reply a killed connection lost (autoResendUnfulfilledCommands): a plain
// SET NX would then meet our own token and answer "held by someone else", and nobody would run the work.
// Acquiring is idempotent per token instead.
const ACQUIRE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
if redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then
  return 1
end
return 0`;

const RELEASE_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

type LockScripts = {
  candlecastAcquireLock(key: string, token: string, ttlMs: number): Promise<number>;
  candlecastExtendLock(key: string, token: string, ttlMs: number): Promise<number>;
  candlecastReleaseLock(key: string, token: string): Promise<number>;
};

/** Keys go through the client's keyPrefix (ioredis prefixes KEYS of defined commands too). */
export function createRedisLock(redis: Redis): Lock {
  // defineCommand sends EVALSHA and falls back to EVAL once after a NOSCRIPT (e.g. after SCRIPT FLUSH or a restart).
  redis.defineCommand("candlecastAcquireLock", { numberOfKeys: 1, lua: ACQUIRE });
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
      const acquired = (await scripts.candlecastAcquireLock(key, token, ttlMs)) === 1;
      return acquired ? createLockHandle(key, token, ops) : null;
    },
  };
}
