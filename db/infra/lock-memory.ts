// In-process lock for the embedded one-process mode: same semantics as the Redis lock, expiry on an injected clock.
import { ExpiringMap } from "./expiring-map";
import { createLockHandle, newLockToken, type Lock, type TokenOps } from "./lock";
import { assertTtl } from "./ttl";

export function createMemoryLock(options: { now?: () => number } = {}): Lock {
  const holders = new ExpiringMap<string>(options.now ?? Date.now);

  const ops: TokenOps = {
    async extend(key, token, ttlMs) {
      assertTtl(ttlMs);
      if (holders.get(key) !== token) return false;
      holders.set(key, token, ttlMs);
      return true;
    },
    async release(key, token) {
      if (holders.get(key) !== token) return false;
      return holders.delete(key);
    },
  };

  return {
    async acquire(key, ttlMs) {
      assertTtl(ttlMs);
      if (holders.get(key) !== undefined) return null;
      const token = newLockToken();
      holders.set(key, token, ttlMs);
      return createLockHandle(key, token, ops);
    },
  };
}
