// The small TTL key-value cache interface (settings cache-aside, active-candle registry) and its JSON helpers.
import type { ZodType } from "zod";
import { encodeJson } from "./json";

export type Cache = {
  get(key: string): Promise<string | null>;
  /** ttlMs undefined: no expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Returns how many of the keys existed. */
  del(...keys: string[]): Promise<number>;
  /** Bad JSON or a value the schema refuses reads as a miss: the store is the truth and refills it. */
  getJson<T>(key: string, schema: ZodType<T>): Promise<T | null>;
  setJson(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Returns how many members were new. */
  sadd(key: string, ...members: string[]): Promise<number>;
  /** Returns how many members were there; an emptied set is deleted, as in Redis. */
  srem(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
  /** Readers see the old set or the new one, never a mix or an empty gap. */
  replaceSet(key: string, members: string[]): Promise<void>;
  /**
   * Adds `by` (a whole number, default 1) and returns the new total, atomically (concurrent callers each
   * get their own total); the first increment starts the key's TTL (a fixed window), later ones keep it.
   */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
};

export type RawCache = Omit<Cache, "getJson" | "setJson">;

export class CacheWrongTypeError extends Error {
  constructor(readonly key: string) {
    super(`WRONGTYPE ${key} holds a different kind of value`);
    this.name = "CacheWrongTypeError";
  }
}

export function withJsonHelpers(raw: RawCache): Cache {
  return {
    ...raw,
    async getJson<T>(key: string, schema: ZodType<T>) {
      const text = await raw.get(key);
      if (text === null) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return null;
      }
      const result = schema.safeParse(parsed);
      return result.success ? result.data : null;
    },
    async setJson(key, value, ttlMs) {
      await raw.set(key, encodeJson(value), ttlMs);
    },
  };
}
