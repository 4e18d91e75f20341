// Strategies and their versions, written by their author (author-scoped) and read publicly.
import { and, desc, eq, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../../platform/ids";
import { strategies, strategySymbols, strategyTags, strategyVersions } from "../schema";
import type { StrategyMeta, StrategyVersionInput } from "../../contracts/validation/strategy";
import { versionRank } from "../../contracts/validation/strategy";

export class SlugTakenError extends Error {
  readonly field = "slug";
  constructor() {
    super("This slug is already taken");
  }
}

export class VersionNotIncreasingError extends Error {
  readonly field = "version";
  constructor(latest: string) {
    super(`Version must be greater than the latest published version ${latest}`);
  }
}

export async function createStrategy(db: Db, authorId: string, meta: StrategyMeta) {
  const id = newId();
  try {
    await db.batch([
      db.insert(strategies).values({ id, authorId, ...meta }),
      ...(meta.tags.length
        ? [db.insert(strategyTags).values(meta.tags.map((tag) => ({ strategyId: id, tag })))]
        : []),
    ]);
  } catch (error) {
    if (String((error as Error).message).includes("strategies.slug")) throw new SlugTakenError();
    throw error;
  }
  return { id, slug: meta.slug };
}

/** The author's own strategy, or undefined (another author's id is not found). */
export async function getAuthorStrategy(db: Db, authorId: string, strategyId: string) {
  return db.query.strategies.findFirst({
    where: and(eq(strategies.id, strategyId), eq(strategies.authorId, authorId)),
  });
}

/**
 * Publishes a new version of the author's strategy. Semver must increase; the strategy's markets
 * (denormalised for the marketplace) follow the new latest version.
 */
export async function publishVersion(
  db: Db,
  authorId: string,
  strategyId: string,
  input: StrategyVersionInput,
) {
  const strategy = await getAuthorStrategy(db, authorId, strategyId);
  if (!strategy) return null;
  const latest = await db.query.strategyVersions.findFirst({
    where: eq(strategyVersions.strategyId, strategyId),
    orderBy: desc(strategyVersions.versionRank),
  });
  const rank = versionRank(input.version);
  if (latest && rank <= latest.versionRank) throw new VersionNotIncreasingError(latest.version);
  const id = newId();
  const now = Date.now();
  await db.batch([
    db.insert(strategyVersions).values({
      id,
      strategyId,
      ...input,
      versionRank: rank,
      status: "published",
      publishedAt: now,
    }),
    db
      .update(strategies)
      .set({ latestVersionId: id, resolution: input.resolution, symbols: input.symbols, updatedAt: now })
      .where(eq(strategies.id, strategyId)),
    db.delete(strategySymbols).where(eq(strategySymbols.strategyId, strategyId)),
    db.insert(strategySymbols).values(input.symbols.map((symbol) => ({ strategyId, symbol }))),
  ]);
  return { id, version: input.version };
}

/** A public strategy by slug, with its author's display name. */
/** A public strategy named by its id or its slug (the API takes either; the pages use the slug). */
export async function getPublicStrategy(db: Db, idOrSlug: string) {
  return db.query.strategies.findFirst({
    where: and(
      or(eq(strategies.id, idOrSlug), eq(strategies.slug, idOrSlug)),
      eq(strategies.visibility, "public"),
    ),
  });
}

export async function listStrategyVersions(db: Db, strategyId: string) {
  return db
    .select({
      id: strategyVersions.id,
      version: strategyVersions.version,
      changelog: strategyVersions.changelog,
      status: strategyVersions.status,
      resolution: strategyVersions.resolution,
      symbols: strategyVersions.symbols,
      publishedAt: strategyVersions.publishedAt,
    })
    .from(strategyVersions)
    .where(eq(strategyVersions.strategyId, strategyId))
    .orderBy(desc(strategyVersions.versionRank));
}

/** Keeps the cached subscriber count in step with active and paused subscriptions. */
export function refreshSubscriberCountSql(strategyId: string) {
  return sql`UPDATE strategies SET subscriber_count = (
      SELECT count(*) FROM subscriptions WHERE strategy_id = ${strategyId} AND status != 'cancelled')
    WHERE id = ${strategyId}`;
}
