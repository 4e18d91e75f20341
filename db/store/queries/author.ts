// The author's side: my strategies, their metadata and versions, my executions log, and validation results.
import { and, desc, eq, gt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import type { EventRow } from "../schema";
import { events, executions, strategies, strategyTags, strategyVersions } from "../schema";
import type { ValidationResult } from "../../contracts/jobs";
import type { StrategyMeta } from "../../contracts/validation/strategy";
import { afterKey, newestFirst, toPage, type PageRequest } from "./keyset";
import { SlugTakenError } from "./strategies";
import { strategyFilterConditions, type StrategyFilters } from "./strategy-filters";

export class LatestVersionError extends Error {
  readonly field = "status";
  constructor() {
    super("The latest version cannot be deprecated: publish a newer version first");
  }
}

const strategyColumns = {
  id: strategies.id,
  slug: strategies.slug,
  name: strategies.name,
  description: strategies.description,
  authorId: strategies.authorId,
  visibility: strategies.visibility,
  tags: strategies.tags,
  symbols: strategies.symbols,
  resolution: strategies.resolution,
  latestVersionId: strategies.latestVersionId,
  latestVersion: sql<
    string | null
  >`(SELECT v.version FROM strategy_versions v WHERE v.id = ${strategies.latestVersionId})`,
  subscriberCount: strategies.subscriberCount,
  returnPct: strategies.returnPct,
  tradesCount: strategies.tradesCount,
  createdAt: strategies.createdAt,
  updatedAt: strategies.updatedAt,
};

/** The author's strategies (drafts included), newest first, one page. */
export async function listAuthorStrategies(
  db: Db,
  authorId: string,
  page: PageRequest,
  filters: StrategyFilters = {},
) {
  const rows = await db
    .select(strategyColumns)
    .from(strategies)
    .where(
      and(
        eq(strategies.authorId, authorId),
        ...strategyFilterConditions(filters),
        afterKey(strategies.createdAt, strategies.id, page.after),
      ),
    )
    .orderBy(...newestFirst(strategies.createdAt, strategies.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => ({ t: r.createdAt, id: r.id }));
}

/** Public strategies matching the filters, newest first, one page (the marketplace pages also sort). */
export async function listPublicStrategiesPage(db: Db, page: PageRequest, filters: StrategyFilters = {}) {
  const rows = await db
    .select(strategyColumns)
    .from(strategies)
    .where(
      and(
        eq(strategies.visibility, "public"),
        ...strategyFilterConditions(filters),
        afterKey(strategies.createdAt, strategies.id, page.after),
      ),
    )
    .orderBy(...newestFirst(strategies.createdAt, strategies.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => ({ t: r.createdAt, id: r.id }));
}

/** A strategy this user may read: their own (any visibility) or a public one; undefined otherwise. */
export async function getVisibleStrategy(db: Db, userId: string, strategyIdOrSlug: string) {
  const rows = await db
    .select(strategyColumns)
    .from(strategies)
    .where(
      and(
        or(eq(strategies.id, strategyIdOrSlug), eq(strategies.slug, strategyIdOrSlug)),
        or(eq(strategies.authorId, userId), eq(strategies.visibility, "public")),
      ),
    )
    .limit(1);
  return rows[0];
}

/** The author's own strategy by id or slug with the latest version's number, or undefined. */
export async function getAuthorStrategyView(db: Db, authorId: string, strategyIdOrSlug: string) {
  const rows = await db
    .select(strategyColumns)
    .from(strategies)
    .where(
      and(
        or(eq(strategies.id, strategyIdOrSlug), eq(strategies.slug, strategyIdOrSlug)),
        eq(strategies.authorId, authorId),
      ),
    )
    .limit(1);
  return rows[0];
}

/** Replaces the author's strategy metadata (tags rows follow); null for another author's id. */
export async function updateStrategyMeta(db: Db, authorId: string, strategyId: string, meta: StrategyMeta) {
  const now = Date.now();
  try {
    const [updated] = await db.batch([
      db
        .update(strategies)
        .set({ ...meta, updatedAt: now })
        .where(and(eq(strategies.id, strategyId), eq(strategies.authorId, authorId)))
        .returning({ id: strategies.id }),
      db
        .delete(strategyTags)
        .where(
          and(
            eq(strategyTags.strategyId, strategyId),
            sql`EXISTS (SELECT 1 FROM strategies s WHERE s.id = ${strategyId} AND s.author_id = ${authorId})`,
          ),
        ),
      ...(meta.tags.length
        ? [
            db.run(sql`INSERT INTO strategy_tags (strategy_id, tag)
              SELECT ${strategyId}, j.value FROM json_each(${JSON.stringify(meta.tags)}) AS j
              WHERE EXISTS (SELECT 1 FROM strategies s WHERE s.id = ${strategyId} AND s.author_id = ${authorId})`),
          ]
        : []),
    ]);
    return updated[0] ?? null;
  } catch (error) {
    if (String((error as Error).message).includes("strategies.slug")) throw new SlugTakenError();
    throw error;
  }
}

const versionColumns = {
  id: strategyVersions.id,
  strategyId: strategyVersions.strategyId,
  version: strategyVersions.version,
  symbols: strategyVersions.symbols,
  resolution: strategyVersions.resolution,
  lookback: strategyVersions.lookback,
  params: strategyVersions.params,
  changelog: strategyVersions.changelog,
  status: strategyVersions.status,
  createdAt: strategyVersions.createdAt,
  publishedAt: strategyVersions.publishedAt,
};

/** Every version of a strategy, newest first (without code: a version list is public for public strategies). */
export async function listVersions(db: Db, strategyId: string) {
  return db
    .select(versionColumns)
    .from(strategyVersions)
    .where(eq(strategyVersions.strategyId, strategyId))
    .orderBy(desc(strategyVersions.versionRank));
}

/** One version of the author's strategy, with its code; undefined for another author's. */
export async function getAuthorVersion(db: Db, authorId: string, strategyId: string, versionId: string) {
  const rows = await db
    .select({ ...versionColumns, code: strategyVersions.code })
    .from(strategyVersions)
    .innerJoin(strategies, eq(strategies.id, strategyVersions.strategyId))
    .where(
      and(
        eq(strategyVersions.id, versionId),
        eq(strategyVersions.strategyId, strategyId),
        eq(strategies.authorId, authorId),
      ),
    )
    .limit(1);
  return rows[0];
}

/**
 * Deprecates a version (subscribers pinned to it keep running it; nobody new can pin it) or publishes
 * it again. The latest version cannot be deprecated: unpinned subscribers run it.
 */
export async function setVersionStatus(
  db: Db,
  authorId: string,
  strategyId: string,
  versionId: string,
  status: "published" | "deprecated",
) {
  const version = await getAuthorVersion(db, authorId, strategyId, versionId);
  if (!version) return null;
  const strategy = await db.query.strategies.findFirst({
    where: eq(strategies.id, strategyId),
    columns: { latestVersionId: true },
  });
  if (status === "deprecated" && strategy?.latestVersionId === versionId) throw new LatestVersionError();
  await db.update(strategyVersions).set({ status }).where(eq(strategyVersions.id, versionId));
  return { ...version, status };
}

/** Executions of the author's strategies (one strategy when given), newest candle first, with their logs. */
export async function listAuthorExecutions(db: Db, authorId: string, page: PageRequest, strategyId?: string) {
  const rows = await db
    .select({
      id: executions.id,
      strategyId: executions.strategyId,
      strategyName: strategies.name,
      strategySlug: strategies.slug,
      versionId: executions.versionId,
      version: sql<
        string | null
      >`(SELECT v.version FROM strategy_versions v WHERE v.id = ${executions.versionId})`,
      symbol: executions.symbol,
      resolution: executions.resolution,
      closeTime: executions.closeTime,
      marketSource: executions.marketSource,
      status: executions.status,
      signal: executions.signal,
      confidence: executions.confidence,
      price: executions.price,
      reason: executions.reason,
      subscriberCount: executions.subscriberCount,
      tradesCreated: executions.tradesCreated,
      errorKind: executions.errorKind,
      errorMessage: executions.errorMessage,
      log: executions.log,
      startedAt: executions.startedAt,
      finishedAt: executions.finishedAt,
      runMs: executions.runMs,
      fanoutMs: executions.fanoutMs,
    })
    .from(executions)
    .innerJoin(strategies, eq(strategies.id, executions.strategyId))
    .where(
      and(
        eq(strategies.authorId, authorId),
        strategyId ? eq(executions.strategyId, strategyId) : undefined,
        afterKey(executions.closeTime, executions.id, page.after),
      ),
    )
    // By candle, not by start: a catch-up pass runs an older close after newer ones.
    .orderBy(...newestFirst(executions.closeTime, executions.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => ({ t: r.closeTime, id: r.id }));
}
/** Appends the "validation.result" event for the user who asked; returns the row to publish. */
export async function recordValidationResult(
  db: Db,
  userId: string,
  result: ValidationResult,
  now = Date.now(),
) {
  const [row] = await db
    .insert(events)
    .values({ userId, type: "validation.result", payload: JSON.stringify(result), createdAt: now })
    .returning();
  return row as EventRow;
}

/** The newest outbox sequence: a validation asked now has its result after it. */
export async function latestEventSeq(db: Db): Promise<number> {
  const [row] = await db.select({ seq: sql<number | null>`max(${events.seq})` }).from(events);
  return Number(row?.seq ?? 0);
}

/**
 * The user's validation result for a request id, once the worker has written it. `afterSeq` (the
 * newest sequence when the request was queued) bounds the scan to the events since.
 */
export async function findValidationResult(
  db: Db,
  userId: string,
  requestId: string,
  afterSeq: number,
): Promise<unknown | null> {
  const rows = await db
    .select({ payload: events.payload })
    .from(events)
    .where(
      and(
        eq(events.userId, userId),
        gt(events.seq, afterSeq),
        eq(events.type, "validation.result"),
        sql`json_extract(${events.payload}, '$.requestId') = ${requestId}`,
      ),
    )
    .orderBy(desc(events.seq))
    .limit(1);
  return rows[0] ? JSON.parse(rows[0].payload) : null;
}
