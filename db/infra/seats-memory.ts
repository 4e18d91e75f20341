// In-process seats for the embedded one-process mode: the same semantics as the Redis seats, on an injected clock.
import type { Seats } from "./seats";
import { assertTtl } from "./ttl";

export function createMemorySeats(options: { now?: () => number } = {}): Seats {
  const now = options.now ?? Date.now;
  /** key → holder → when the place lapses. */
  const places = new Map<string, Map<string, number>>();

  const live = (key: string) => {
    const holders = places.get(key);
    if (!holders) return new Map<string, number>();
    for (const [holder, until] of holders) if (until <= now()) holders.delete(holder);
    if (holders.size === 0) places.delete(key);
    return holders;
  };
  const hold = (key: string, holder: string, ttlMs: number) => {
    let holders = places.get(key);
    if (!holders) places.set(key, (holders = new Map()));
    holders.set(holder, now() + ttlMs);
  };

  return {
    async take({ key, holder }, cap, ttlMs) {
      assertTtl(ttlMs);
      const holders = live(key);
      if (!holders.has(holder) && holders.size >= cap) return false;
      hold(key, holder, ttlMs);
      return true;
    },
    async renew(list, ttlMs) {
      assertTtl(ttlMs);
      for (const { key, holder } of list) hold(key, holder, ttlMs);
    },
    async release({ key, holder }) {
      live(key).delete(holder);
      if (places.get(key)?.size === 0) places.delete(key);
    },
    count: async (key) => live(key).size,
  };
}
