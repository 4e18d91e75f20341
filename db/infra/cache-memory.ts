// In-process cache for the embedded one-process mode: Redis string and set semantics on an injected clock.
import { CacheWrongTypeError, withJsonHelpers, type Cache } from "./cache";
import { ExpiringMap } from "./expiring-map";
import { assertIncrement, assertTtl } from "./ttl";

export function createMemoryCache(options: { now?: () => number } = {}): Cache {
  const values = new ExpiringMap<string | Set<string>>(options.now ?? Date.now);

  const readSet = (key: string): Set<string> | undefined => {
    const value = values.get(key);
    if (typeof value === "string") throw new CacheWrongTypeError(key);
    return value;
  };

  return withJsonHelpers({
    async get(key) {
      const value = values.get(key);
      if (value instanceof Set) throw new CacheWrongTypeError(key);
      return value ?? null;
    },
    async set(key, value, ttlMs) {
      if (ttlMs !== undefined) assertTtl(ttlMs);
      values.set(key, value, ttlMs);
    },
    async del(...keys) {
      return keys.filter((key) => values.delete(key)).length;
    },
    async sadd(key, ...members) {
      const existing = readSet(key);
      const set = existing ?? new Set<string>();
      const before = set.size;
      for (const member of members) set.add(member);
      // Mutating in place keeps any expiry the key already had, as SADD does.
      if (!existing && set.size > 0) values.set(key, set);
      return set.size - before;
    },
    async srem(key, ...members) {
      const set = readSet(key);
      if (!set) return 0;
      const removed = members.filter((member) => set.delete(member)).length;
      if (set.size === 0) values.delete(key);
      return removed;
    },
    async smembers(key) {
      return [...(readSet(key) ?? [])];
    },
    async replaceSet(key, members) {
      if (members.length === 0) values.delete(key);
      else values.set(key, new Set(members));
    },
    async increment(key, ttlMs, by = 1) {
      assertTtl(ttlMs);
      assertIncrement(by);
      const value = values.get(key);
      if (value instanceof Set) throw new CacheWrongTypeError(key);
      if (value === undefined) {
        values.set(key, String(by), ttlMs);
        return by;
      }
      const next = Number(value) + by;
      // Updating in place keeps the window's expiry, as INCR does.
      values.replace(key, String(next));
      return next;
    },
  });
}
