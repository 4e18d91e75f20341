// Public marketplace reads: search with filters and pages, facets, a strategy's page data and its cached performance.
import { and, asc, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client";
import { strategyFilterConditions } from "./strategy-filters";
import { resolutionSchema, symbolSchema } from "../../contracts/domain";
import {
  downsample,
  markedEquity,
  performanceFromTrades,
  type ClosedTrade,
  type Mark,
  type MarkedPosition,
} from "../../contracts/performance";
import {
  backtests,
  executions,
  strategies,
  strategySymbols,
  strategyTags,
  strategyVersions,
  users,
} from "../schema";

export const MARKET_SORTS = ["subscribers", "return", "newest"] as const;
export type MarketSort = (typeof MARKET_SORTS)[number];
export const MARKET_PAGE_SIZE = 12;
/** Strategy performance is expressed as the equity of 100 units followed from the first trade. */
export const PERFORMANCE_BASE = 100;
const SPARKLINE_POINTS = 32;
/** The strategy page's equity chart: enough points for its width, whatever the number of closes. */
const CHART_POINTS = 1_000;

/**
 * The marketplace URL (?q=&symbol=&resolution=&tag=&sort=&page=). A value that does not parse is
 * dropped, not an error: a hand-edited or stale link still shows the marketplace.
 */
export const marketplaceQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .transform((v) => v.slice(0, 80) || undefined)
    .optional()
    .catch(undefined),
  symbol: symbolSchema.optional().catch(undefined),
  resolution: resolutionSchema.optional().catch(undefined),
  tag: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,23}$/)
    .optional()
    .catch(undefined),
  sort: z.enum(MARKET_SORTS).catch("subscribers"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type MarketplaceQuery = z.output<typeof marketplaceQuerySchema>;

function marketplaceWhere(query: MarketplaceQuery): SQL {
  return and(eq(strategies.visibility, "public"), ...strategyFilterConditions(query))!;
}

const ORDER: Record<MarketSort, SQL[]> = {
  subscribers: [desc(strategies.subscriberCount), desc(strategies.createdAt), asc(strategies.id)],
  return: [desc(strategies.returnPct), desc(strategies.subscriberCount), asc(strategies.id)],
  newest: [desc(strategies.createdAt), asc(strategies.id)],
};

/** One page of public strategies matching the query, with the total and the page actually shown (clamped). */
export async function searchPublicStrategies(db: Db, query: MarketplaceQuery, pageSize = MARKET_PAGE_SIZE) {
  const where = marketplaceWhere(query);
  const [{ total }] = await db.select({ total: count() }).from(strategies).where(where);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(query.page, pageCount);
  const items =
    total === 0
      ? []
      : await db
          .select({
            id: strategies.id,
            slug: strategies.slug,
            name: strategies.name,
            description: strategies.description,
            authorName: users.name,
            symbols: strategies.symbols,
            resolution: strategies.resolution,
            tags: strategies.tags,
            subscriberCount: strategies.subscriberCount,
            returnPct: strategies.returnPct,
            tradesCount: strategies.tradesCount,
            winRate: strategies.winRate,
            sparkline: strategies.sparkline,
            createdAt: strategies.createdAt,
            liveSource: latestExecutionSource,
            latestBacktest: latestAuthorBacktestJson,
          })
          .from(strategies)
          .innerJoin(users, eq(users.id, strategies.authorId))
          .where(where)
          .orderBy(...ORDER[query.sort])
          .limit(pageSize)
          .offset((page - 1) * pageSize);
  return { items: items.map(withBacktestFigures), total, page, pageCount, pageSize };
}

/** A card's sparkline: at most SPARKLINE_POINTS values, rounded to hundredths. */
const sparklineOf = (values: number[]) =>
  downsample(
    values.map((v) => Math.round(v * 100) / 100),
    SPARKLINE_POINTS,
  );

/** Where the strategy's live figures come from: the source its newest execution read (null before any). */
const latestExecutionSource = sql<string | null>`(
  SELECT e.market_source FROM ${executions} e
  WHERE e.strategy_id = ${strategies.id} ORDER BY e.close_time DESC LIMIT 1)`;

/** Points of a backtest's equity the store sends for a card's sparkline, before `downsample` picks 32. */
const BACKTEST_SPARKLINE_READ = 64;

/**
 * The author's latest completed backtest of the strategy as JSON: its return, and for a strategy
 * without live trades every n-th point of its equity (at most about 2 × BACKTEST_SPARKLINE_READ, the
 * last always), thinned in the store so a card never reads a backtest's whole curve.
 */
const latestAuthorBacktestJson = sql<string | null>`(
  SELECT json_object('returnPct', json_extract(b.stats, '$.returnPct'), 'source', b.market_source, 'equity',
    CASE WHEN ${strategies.tradesCount} = 0 THEN (
      SELECT json_group_array(json_extract(e.value, '$[1]')) FROM json_each(b.equity) e
      WHERE e.key % max(1, json_array_length(b.equity) / ${BACKTEST_SPARKLINE_READ}) = 0
        OR e.key = json_array_length(b.equity) - 1)
    END)
  FROM ${backtests} b
  WHERE b.strategy_id = ${strategies.id} AND b.user_id = ${strategies.authorId} AND b.status = 'completed'
  ORDER BY b.created_at DESC LIMIT 1)`;

const latestBacktestSchema = z
  .object({
    returnPct: z.number().nullable().catch(null),
    source: z.string(),
    equity: z.array(z.number()).nullable().catch(null),
  })
  .nullable()
  .catch(null);

/** A card's backtest figures: the return, and the sparkline a strategy without live trades shows. */
function withBacktestFigures<T extends { latestBacktest: string | null }>({ latestBacktest, ...item }: T) {
  const backtest = latestBacktestSchema.parse(latestBacktest === null ? null : JSON.parse(latestBacktest));
  const equity = (backtest?.equity ?? []).filter((v) => Number.isFinite(v));
  return {
    ...item,
    backtestReturnPct: backtest?.returnPct ?? null,
    backtestSource: backtest?.source ?? null,
    backtestSparkline: sparklineOf(equity),
  };
}

/** The filter choices: symbols and the most used tags among public strategies. */
export async function marketplaceFacets(db: Db, maxTags = 12) {
  const [symbols, tags] = await Promise.all([
    db
      .select({ value: strategySymbols.symbol, count: count() })
      .from(strategySymbols)
      .innerJoin(
        strategies,
        and(eq(strategies.id, strategySymbols.strategyId), eq(strategies.visibility, "public")),
      )
      .groupBy(strategySymbols.symbol)
      .orderBy(asc(strategySymbols.symbol)),
    db
      .select({ value: strategyTags.tag, count: count() })
      .from(strategyTags)
      .innerJoin(
        strategies,
        and(eq(strategies.id, strategyTags.strategyId), eq(strategies.visibility, "public")),
      )
      .groupBy(strategyTags.tag)
      .orderBy(desc(count()), asc(strategyTags.tag))
      .limit(maxTags),
  ]);
  return { symbols, tags };
}

/** A public strategy with its author's name; undefined for unknown and draft strategies. */
export async function getPublicStrategyPage(db: Db, slug: string) {
  const [row] = await db
    .select({
      id: strategies.id,
      slug: strategies.slug,
      name: strategies.name,
      description: strategies.description,
      authorId: strategies.authorId,
      authorName: users.name,
      symbols: strategies.symbols,
      resolution: strategies.resolution,
      tags: strategies.tags,
      subscriberCount: strategies.subscriberCount,
      latestVersionId: strategies.latestVersionId,
      createdAt: strategies.createdAt,
    })
    .from(strategies)
    .innerJoin(users, eq(users.id, strategies.authorId))
    .where(and(eq(strategies.slug, slug), eq(strategies.visibility, "public")));
  return row;
}

/**
 * The strategy's own trades: every subscriber's position opened by one execution on one symbol is
 * one strategy trade, whose result is the subscribers' average P&L in percent of their capital.
 */
export async function listStrategyClosedTrades(db: Db, strategyId: string) {
  const rows = await db.all<{ opened_at: number; closed_at: number; ret: number }>(sql`
    SELECT min(t.opened_at) AS opened_at, max(t.closed_at) AS closed_at, avg(t.pnl / s.capital) AS ret
    FROM trades t JOIN subscriptions s ON s.id = t.subscription_id
    WHERE t.strategy_id = ${strategyId} AND t.status = 'closed' AND s.capital > 0
    GROUP BY t.execution_id, t.symbol
    ORDER BY closed_at`);
  const trades: ClosedTrade[] = rows.map((r) => ({
    openedAt: Number(r.opened_at),
    closedAt: Number(r.closed_at),
    pnl: Number(r.ret) * PERFORMANCE_BASE,
  }));
  const startTime = rows.length ? Math.min(...rows.map((r) => Number(r.opened_at))) : undefined;
  return { trades, startTime };
}

/**
 * The strategy's positions for marking to market, in the units of the strategy's equity: each
 * subscriber trade of a signal weighs 1 / (the signal's open and closed trades) × PERFORMANCE_BASE /
 * its capital, so once every trade has closed the marked curve ends where the average results put it.
 * Subscriber trades closing together are summed into one position (the SQL does the sums).
 */
async function listStrategyMarkedPositions(db: Db, strategyId: string): Promise<MarkedPosition[]> {
  const rows = await db.all<{
    symbol: string;
    opened_at: number;
    closed_at: number | null;
    pnl: number;
    per_unit: number;
    offset: number;
  }>(sql`
    WITH held AS (
      SELECT t.execution_id, t.symbol, t.opened_at, t.closed_at, t.pnl, s.capital,
        CASE t.side WHEN 'LONG' THEN 1.0 ELSE -1.0 END * t.quantity AS signed_qty, t.entry_price,
        coalesce(t.entry_fee, 0) AS entry_fee,
        count(*) OVER (PARTITION BY t.execution_id, t.symbol) AS n
      FROM trades t JOIN subscriptions s ON s.id = t.subscription_id
      WHERE t.strategy_id = ${strategyId} AND t.status IN ('open', 'closed') AND s.capital > 0)
    SELECT symbol, min(opened_at) AS opened_at, closed_at, total(pnl / capital / n) AS pnl,
      total(signed_qty / capital / n) AS per_unit,
      total((signed_qty * entry_price + entry_fee) / capital / n) AS offset
    FROM held GROUP BY execution_id, symbol, closed_at`);
  return rows.map((r) => ({
    symbol: r.symbol,
    openedAt: Number(r.opened_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    pnl: Number(r.pnl) * PERFORMANCE_BASE,
    perUnit: Number(r.per_unit) * PERFORMANCE_BASE,
    offset: Number(r.offset) * PERFORMANCE_BASE,
  }));
}

/** The close of every market of the strategy at each of its completed executions since `from`. */
async function listStrategyMarks(db: Db, strategyId: string, from: number): Promise<Mark[]> {
  const rows = await db.all<{ symbol: string; close_time: number; price: number }>(sql`
    SELECT symbol, close_time, price FROM executions
    WHERE strategy_id = ${strategyId} AND status = 'COMPLETED' AND price IS NOT NULL AND close_time >= ${from}
    ORDER BY close_time`);
  return rows.map((r) => ({ time: Number(r.close_time), symbol: r.symbol, price: Number(r.price) }));
}

/**
 * Live performance of a strategy (equity starts at PERFORMANCE_BASE): the equity curve and its
 * figures marked to market at every execution's close (ADR 127); the closed-trade drawdown beside it.
 * The curve returned holds at most CHART_POINTS points; the figures use every close.
 */
export async function strategyLivePerformance(db: Db, strategyId: string) {
  const [{ trades, startTime }, positions] = await Promise.all([
    listStrategyClosedTrades(db, strategyId),
    listStrategyMarkedPositions(db, strategyId),
  ]);
  const start = positions.length ? Math.min(...positions.map((p) => p.openedAt)) : startTime;
  if (start === undefined) return performanceFromTrades(trades, PERFORMANCE_BASE);
  const marks = await listStrategyMarks(db, strategyId, start);
  const marked = markedEquity(PERFORMANCE_BASE, positions, marks, start);
  // Executions without a recorded close price leave nothing to mark: the closed-trade curve stands in.
  const perf = performanceFromTrades(trades, PERFORMANCE_BASE, start, {
    marked: marked.length > 1 ? marked : undefined,
  });
  return { ...perf, equity: downsample(perf.equity, CHART_POINTS) };
}

/**
 * Recomputes the cached figures the marketplace cards read (return, trades, win rate, sparkline) from
 * the closed trades alone: the cards change when trades close, not at every close of the market.
 * Call it after an execution closed trades of this strategy; the cards never compute per request.
 */
export async function refreshStrategyPerformance(db: Db, strategyId: string) {
  const { trades, startTime } = await listStrategyClosedTrades(db, strategyId);
  const perf = performanceFromTrades(trades, PERFORMANCE_BASE, startTime);
  const sparkline = sparklineOf(perf.equity.map((p) => p.value));
  await db
    .update(strategies)
    .set({ returnPct: perf.returnPct, tradesCount: perf.trades, winRate: perf.winRate, sparkline })
    .where(eq(strategies.id, strategyId));
  return perf;
}

/** The latest executions of a strategy, with only what a visitor may see (no logs, no error text). */
export async function listRecentSignals(db: Db, strategyId: string, limit = 15) {
  return db
    .select({
      id: executions.id,
      symbol: executions.symbol,
      resolution: executions.resolution,
      closeTime: executions.closeTime,
      status: executions.status,
      signal: executions.signal,
      confidence: executions.confidence,
      price: executions.price,
      subscriberCount: executions.subscriberCount,
      tradesCreated: executions.tradesCreated,
      finishedAt: executions.finishedAt,
    })
    .from(executions)
    .where(eq(executions.strategyId, strategyId))
    .orderBy(desc(executions.closeTime))
    .limit(limit);
}

const backtestStatsSchema = z
  .object({
    returnPct: z.number().nullish(),
    winRate: z.number().nullish(),
    sharpe: z.number().nullish(),
    sortino: z.number().nullish(),
    maxDrawdownPct: z.number().nullish(),
    profitFactor: z.number().nullish(),
    trades: z.number().nullish(),
  })
  .catch({});
const backtestEquitySchema = z.array(z.tuple([z.number(), z.number()])).catch([]);

/** The author's newest backtest still queued or running (its progress shows on the strategy page), or null. */
export async function authorBacktestInProgress(db: Db, strategyId: string, authorId: string) {
  const [row] = await db
    .select({
      status: backtests.status,
      progress: backtests.progress,
      symbol: backtests.symbol,
      resolution: backtests.resolution,
      fromTime: backtests.fromTime,
      toTime: backtests.toTime,
      marketSource: backtests.marketSource,
    })
    .from(backtests)
    .where(
      and(
        eq(backtests.strategyId, strategyId),
        eq(backtests.userId, authorId),
        inArray(backtests.status, ["queued", "running"]),
      ),
    )
    .orderBy(desc(backtests.createdAt))
    .limit(1);
  return row ?? null;
}

/**
 * The author's latest completed backtest of each version, newest version first. Other users'
 * backtests are theirs alone and never appear on the public page.
 */
export async function listLatestBacktests(db: Db, strategyId: string, authorId: string, limit = 5) {
  const rows = await db
    .select({
      id: backtests.id,
      version: strategyVersions.version,
      symbol: backtests.symbol,
      resolution: backtests.resolution,
      fromTime: backtests.fromTime,
      toTime: backtests.toTime,
      marketSource: backtests.marketSource,
      stats: backtests.stats,
      equity: backtests.equity,
      finishedAt: backtests.finishedAt,
    })
    .from(backtests)
    .innerJoin(strategyVersions, eq(strategyVersions.id, backtests.versionId))
    .where(
      and(
        eq(backtests.strategyId, strategyId),
        eq(backtests.userId, authorId),
        eq(backtests.status, "completed"),
        sql`${backtests.createdAt} = (SELECT max(b2.created_at) FROM ${backtests} b2
          WHERE b2.strategy_id = ${backtests.strategyId} AND b2.version_id = ${backtests.versionId}
            AND b2.user_id = ${authorId} AND b2.status = 'completed')`,
      ),
    )
    .orderBy(desc(strategyVersions.versionRank))
    .limit(limit);
  return rows.map((r) => ({
    ...r,
    stats: backtestStatsSchema.parse(r.stats ?? {}),
    equity: backtestEquitySchema.parse(r.equity ?? []).map(([time, value]) => ({ time, value })),
  }));
}
