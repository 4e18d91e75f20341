// What an execution needs to know of a strategy (its latest version) and of a version (code, params, markets), cache-aside.
import { eq } from "drizzle-orm";
import { z } from "zod";
import {
  STRATEGY_SETTINGS_TTL_MS,
  STRATEGY_VERSION_TTL_MS,
  strategySettingsKey,
  strategyVersionKey,
} from "../../contracts/cache-keys";
import type { Db } from "../client";
import { resolutionSchema } from "../../contracts/domain";
import { cacheAside, type CacheErrorHandler } from "../../infra/cache-aside";
import type { Cache } from "../../infra/cache";
import { strategies, strategyVersions } from "../schema";

export const strategySettingsSchema = z.object({
  strategyId: z.string(),
  /** Whose share of the sandbox its runs count against (ADR 175, 176). */
  authorId: z.string(),
  latestVersionId: z.string().nullable(),
});
export type StrategySettings = z.infer<typeof strategySettingsSchema>;

export const versionSettingsSchema = z.object({
  versionId: z.string(),
  strategyId: z.string(),
  version: z.string(),
  code: z.string(),
  params: z.record(z.string(), z.unknown()),
  symbols: z.array(z.string()),
  resolution: resolutionSchema,
  lookback: z.number().int().positive(),
});
export type VersionSettings = z.infer<typeof versionSettingsSchema>;

export async function loadStrategySettings(db: Db, strategyId: string): Promise<StrategySettings | null> {
  const row = await db.query.strategies.findFirst({
    where: eq(strategies.id, strategyId),
    columns: { id: true, authorId: true, latestVersionId: true },
  });
  return row ? { strategyId: row.id, authorId: row.authorId, latestVersionId: row.latestVersionId } : null;
}

export async function loadVersionSettings(db: Db, versionId: string): Promise<VersionSettings | null> {
  const row = await db.query.strategyVersions.findFirst({ where: eq(strategyVersions.id, versionId) });
  if (!row) return null;
  return versionSettingsSchema.parse({
    versionId: row.id,
    strategyId: row.strategyId,
    version: row.version,
    code: row.code,
    params: row.params,
    symbols: row.symbols,
    resolution: row.resolution,
    lookback: row.lookback,
  });
}

/** Cache first, the store on a miss (and the cache refilled). A broken cache only costs a store read. */
export function getStrategySettings(
  cache: Cache,
  db: Db,
  strategyId: string,
  onCacheError?: CacheErrorHandler,
): Promise<StrategySettings | null> {
  return cacheAside(
    cache,
    strategySettingsKey(strategyId),
    strategySettingsSchema,
    STRATEGY_SETTINGS_TTL_MS,
    () => loadStrategySettings(db, strategyId),
    { onCacheError },
  );
}

export function getVersionSettings(
  cache: Cache,
  db: Db,
  versionId: string,
  onCacheError?: CacheErrorHandler,
): Promise<VersionSettings | null> {
  return cacheAside(
    cache,
    strategyVersionKey(versionId),
    versionSettingsSchema,
    STRATEGY_VERSION_TTL_MS,
    () => loadVersionSettings(db, versionId),
    { onCacheError },
  );
}

/**
 * For writers of the store (publishing a version, changing the latest one): drop the cached settings
 * so the next execution reads the truth instead of waiting out the TTL.
 */
export async function forgetStrategySettings(cache: Cache, strategyId: string): Promise<void> {
  await cache.del(strategySettingsKey(strategyId));
}
