// Cache-aside reads and write-through writes over a Cache, with the store as the truth.
import type { ZodType } from "zod";
import type { Cache } from "./cache";

export type CacheErrorHandler = (
  error: unknown,
  context: { key: string; operation: "get" | "set" | "del" },
) => void;

/**
 * Serves key from the cache, or loads it from the store and caches it for ttlMs. A broken cache
 * never fails the read: the store answers and onCacheError hears why the cache did not.
 * A null from the store is not cached (getJson cannot tell a cached null from a miss).
 */
export async function cacheAside<T>(
  cache: Cache,
  key: string,
  schema: ZodType<T>,
  ttlMs: number,
  loadFromStore: () => Promise<T>,
  options: { onCacheError?: CacheErrorHandler } = {},
): Promise<T> {
  const report = options.onCacheError ?? (() => {});
  try {
    const cached = await cache.getJson(key, schema);
    if (cached !== null) return cached;
  } catch (error) {
    report(error, { key, operation: "get" });
  }
  const value = await loadFromStore();
  if (value !== null) {
    try {
      await cache.setJson(key, value, ttlMs);
    } catch (error) {
      report(error, { key, operation: "set" });
    }
  }
  return value;
}

/**
 * Writes to the store first, then puts the stored value in the cache. If the cache write fails
 * the key is deleted so readers go back to the store rather than read the old value.
 * A store failure throws before the cache is touched.
 */
export async function writeThrough<T>(
  cache: Cache,
  key: string,
  ttlMs: number,
  writeToStore: () => Promise<T>,
  options: { onCacheError?: CacheErrorHandler } = {},
): Promise<T> {
  const report = options.onCacheError ?? (() => {});
  const value = await writeToStore();
  try {
    await cache.setJson(key, value, ttlMs);
  } catch (error) {
    report(error, { key, operation: "set" });
    try {
      await cache.del(key);
    } catch (delError) {
      // The old value now lives until its TTL; the TTL is the bound on staleness.
      report(delError, { key, operation: "del" });
    }
  }
  return value;
}
