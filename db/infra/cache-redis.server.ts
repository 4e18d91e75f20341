// Redis cache: strings with PX expiry and sets, keys under the client's keyPrefix.
import type { Redis } from "ioredis";
import { withJsonHelpers, type Cache } from "./cache";
import { assertIncrement, assertTtl } from "./ttl";

/** INCRBY, and PEXPIRE when the key has no TTL yet (it was just created): the window starts with its first count. */
const INCREMENT_IN_WINDOW = `local n = redis.call('INCRBY', KEYS[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export function createRedisCache(redis: Redis): Cache {
  return withJsonHelpers({
    get: (key) => redis.get(key),
    async set(key, value, ttlMs) {
      if (ttlMs === undefined) {
        await redis.set(key, value);
        return;
      }
      assertTtl(ttlMs);
      await redis.set(key, value, "PX", ttlMs);
    },
    async del(...keys) {
      return keys.length === 0 ? 0 : redis.del(...keys);
    },
    async sadd(key, ...members) {
      return members.length === 0 ? 0 : redis.sadd(key, ...members);
    },
    async srem(key, ...members) {
      return members.length === 0 ? 0 : redis.srem(key, ...members);
    },
    smembers: (key) => redis.smembers(key),
    async replaceSet(key, members) {
      // MULTI/EXEC runs DEL and SADD with no command from another client in between.
      const transaction = redis.multi().del(key);
      if (members.length > 0) transaction.sadd(key, ...members);
      const replies = await transaction.exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error(`replaceSet ${key}: transaction aborted`);
    },
    async increment(key, ttlMs, by = 1) {
      assertTtl(ttlMs);
      assertIncrement(by);
      return Number(await redis.eval(INCREMENT_IN_WINDOW, 1, key, ttlMs, by));
    },
  });
}
