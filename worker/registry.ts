// The active-candle registry: which (strategy, symbol, resolution) have active subscribers, kept in the cache.
import { z } from "zod";
import { ACTIVE_CANDLES_BUILT_KEY, ACTIVE_CANDLES_KEY } from "../db/contracts/cache-keys";
import type { Db } from "../db/store/client";
import { resolutionSchema, type Resolution } from "../db/contracts/domain";
import type { Cache } from "../db/infra/cache";
import { listActiveCandles } from "../db/store/queries/registry";
import type { Logger } from "../db/platform/logger.server";

export const activeCandleSchema = z.object({
  strategyId: z.string().min(1),
  symbol: z.string().min(1),
  resolution: resolutionSchema,
  since: z.number(),
});
export type ActiveCandle = z.infer<typeof activeCandleSchema>;

export interface ActiveCandleRegistry {
  /** Reads the set from the cache; rebuilds it from the store when the cache has lost it. */
  read(): Promise<ActiveCandle[]>;
  /** Recomputes the set from the store and replaces the cached one atomically. */
  rebuild(): Promise<ActiveCandle[]>;
}

export function createActiveCandleRegistry(deps: {
  db: Db;
  cache: Cache;
  logger: Logger;
}): ActiveCandleRegistry {
  const { db, cache, logger } = deps;
  // Concurrent callers of rebuild share one store read.
  let rebuilding: Promise<ActiveCandle[]> | null = null;

  const rebuild = () => {
    rebuilding ??= (async () => {
      try {
        const rows = await listActiveCandles(db);
        const candles: ActiveCandle[] = [];
        for (const row of rows) {
          const parsed = activeCandleSchema.safeParse(row);
          if (parsed.success) candles.push(parsed.data);
          else
            logger.warn(
              { row, issue: parsed.error.issues[0]?.message },
              "registry: skipped a market the scheduler cannot serve",
            );
        }
        await cache.replaceSet(
          ACTIVE_CANDLES_KEY,
          candles.map((c) => JSON.stringify(c)),
        );
        await cache.set(ACTIVE_CANDLES_BUILT_KEY, String(Date.now()));
        return candles;
      } finally {
        rebuilding = null;
      }
    })();
    return rebuilding;
  };

  return {
    rebuild,
    async read() {
      const [built, members] = await Promise.all([
        cache.get(ACTIVE_CANDLES_BUILT_KEY),
        cache.smembers(ACTIVE_CANDLES_KEY),
      ]);
      if (built === null) {
        logger.info(
          "registry: not in the cache (first start, or the cache was flushed): rebuilding from the store",
        );
        return rebuild();
      }
      const candles: ActiveCandle[] = [];
      for (const member of members) {
        try {
          const parsed = activeCandleSchema.safeParse(JSON.parse(member));
          if (parsed.success) candles.push(parsed.data);
        } catch {
          // A member we cannot read is dropped; the next rebuild rewrites the set.
        }
      }
      return candles;
    },
  };
}

export const resolutionsOf = (candles: ActiveCandle[]) =>
  new Set<Resolution>(candles.map((c) => c.resolution));
