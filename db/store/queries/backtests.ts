// Backtests: requested by a user (user-scoped), run by the worker, their progress and result written with their outbox event.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { RESOLUTION_MS, SIMULATED_SOURCE, type Resolution } from "../../contracts/domain";
import type { NewEvent } from "../../contracts/events";
import type { PerformanceStats } from "../../contracts/performance";
import { newId } from "../../platform/ids";
import { backtests, strategies, strategyVersions, type Backtest, type EventRow } from "../schema";
import {
  MAX_BACKTEST_CANDLES,
  pickRiskSettings,
  type BacktestRequest,
} from "../../contracts/validation/backtest";
import { describeMissingHistory } from "./missing-history";
import { afterKey, newestFirst, toPage, type PageRequest } from "./keyset";

/** A backtest request that names something that cannot be tested (a version of another strategy, a symbol it does not trade...). */
export class BacktestInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A backtest's figures are the live ones (db/contracts/performance.ts), computed over the simulated trades. */
export type BacktestStats = PerformanceStats;

/** A closed backtest trade as stored in the backtest's `trades` column. */
export interface BacktestTrade {
  side: "LONG" | "SHORT";
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  stopLoss: number;
  takeProfit: number;
  openedAt: number;
  closedAt: number;
  pnl: number;
  fees: number;
  exitReason: string;
}

/**
 * Queues a backtest of a strategy the user may see (their own, or a public one). Returns null when the
 * strategy is not visible to them; throws BacktestInputError naming the field that cannot be tested.
 */
export async function createBacktest(
  db: Db,
  userId: string,
  strategyId: string,
  input: BacktestRequest,
  opts: { marketSource: string },
) {
  const strategy = await db.query.strategies.findFirst({
    where: eq(strategies.id, strategyId),
    columns: { id: true, authorId: true, visibility: true, latestVersionId: true },
  });
  if (!strategy || (strategy.authorId !== userId && strategy.visibility !== "public")) return null;
  const versionId = input.versionId ?? strategy.latestVersionId;
  if (!versionId) throw new BacktestInputError("versionId", "Publish a version before running a backtest");
  const version = await db.query.strategyVersions.findFirst({
    where: and(eq(strategyVersions.id, versionId), eq(strategyVersions.strategyId, strategyId)),
    columns: { id: true, symbols: true, resolution: true, lookback: true },
  });
  if (!version) throw new BacktestInputError("versionId", "This version does not belong to the strategy");
  if (!version.symbols.includes(input.symbol)) {
    throw new BacktestInputError("symbol", `Symbol must be one of ${version.symbols.join(", ")}`);
  }
  const ms = RESOLUTION_MS[version.resolution as Resolution];
  const fromTime = Math.ceil(input.from / ms) * ms;
  const toTime = Math.floor(input.to / ms) * ms;
  const candles = (toTime - fromTime) / ms;
  if (candles < 1)
    throw new BacktestInputError("to", `The period must contain at least one ${version.resolution} candle`);
  if (candles > MAX_BACKTEST_CANDLES) {
    throw new BacktestInputError(
      "from",
      `The period holds ${candles.toLocaleString("en")} ${version.resolution} candles; at most ${MAX_BACKTEST_CANDLES.toLocaleString("en")} are allowed`,
    );
  }
  const marketSource = input.source ?? opts.marketSource;
  await checkHistory(db, {
    marketSource,
    deployment: opts.marketSource,
    symbol: input.symbol,
    version,
    fromTime,
    toTime,
  });
  const settings = pickRiskSettings(input);
  const id = newId();
  await db.insert(backtests).values({
    id,
    strategyId,
    versionId: version.id,
    userId,
    symbol: input.symbol,
    resolution: version.resolution,
    fromTime,
    toTime,
    marketSource,
    settings,
  });
  return { id, versionId: version.id, candles };
}

/** Candles a backtest reads before its first bar: the lookback and the live ATR window (30). */
export const warmUpBars = (lookback: number) => Math.max(lookback, 30) - 1;

/** A backtest on exchange candles needs them stored for the whole period and its warm-up; says exactly what is missing. */
async function checkHistory(
  db: Db,
  b: {
    marketSource: string;
    deployment: string;
    symbol: string;
    version: { resolution: string; lookback: number };
    fromTime: number;
    toTime: number;
  },
) {
  if (b.marketSource === SIMULATED_SOURCE) return;
  if (b.marketSource !== b.deployment) {
    const choices =
      b.deployment === SIMULATED_SOURCE
        ? `"${SIMULATED_SOURCE}"`
        : `"${b.deployment}" or "${SIMULATED_SOURCE}"`;
    throw new BacktestInputError("source", `Source must be ${choices}`);
  }
  const ms = RESOLUTION_MS[b.version.resolution as Resolution];
  const from = b.fromTime - warmUpBars(b.version.lookback) * ms;
  const market = { source: b.marketSource, symbol: b.symbol, resolution: b.version.resolution };
  const missing = await describeMissingHistory(db, market, from, b.toTime, ms);
  if (missing) throw new BacktestInputError("source", missing);
}

/** Every backtest still waiting for a worker, oldest first. */
export async function listQueuedBacktestIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: backtests.id })
    .from(backtests)
    .where(eq(backtests.status, "queued"))
    .orderBy(asc(backtests.createdAt));
  return rows.map((r) => r.id);
}

/** Removes a backtest that could not be queued. */
export async function deleteBacktest(db: Db, backtestId: string) {
  await db.delete(backtests).where(eq(backtests.id, backtestId));
}

/** The user's own backtest, or undefined. */
export async function getBacktest(db: Db, userId: string, backtestId: string) {
  return db.query.backtests.findFirst({
    where: and(eq(backtests.id, backtestId), eq(backtests.userId, userId)),
  });
}

const summaryColumns = {
  id: backtests.id,
  strategyId: backtests.strategyId,
  versionId: backtests.versionId,
  version: strategyVersions.version,
  symbol: backtests.symbol,
  resolution: backtests.resolution,
  fromTime: backtests.fromTime,
  toTime: backtests.toTime,
  marketSource: backtests.marketSource,
  settings: backtests.settings,
  status: backtests.status,
  progress: backtests.progress,
  stats: backtests.stats,
  error: backtests.error,
  createdAt: backtests.createdAt,
  finishedAt: backtests.finishedAt,
};

/** The user's backtests (of one strategy when given), newest first, one page. */
export async function listBacktests(db: Db, userId: string, page: PageRequest, strategyId?: string) {
  const rows = await db
    .select(summaryColumns)
    .from(backtests)
    .innerJoin(strategyVersions, eq(strategyVersions.id, backtests.versionId))
    .where(
      and(
        eq(backtests.userId, userId),
        strategyId ? eq(backtests.strategyId, strategyId) : undefined,
        afterKey(backtests.createdAt, backtests.id, page.after),
      ),
    )
    .orderBy(...newestFirst(backtests.createdAt, backtests.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => ({ t: r.createdAt, id: r.id }));
}

// ---- the worker's side: not tenant reads, it runs whatever backtest a job names ----

/** The backtest a job names with the code and parameters of its version. */
/** Who asked for the backtest (its author-job lease is theirs); null when the row is gone. */
export async function backtestRequester(db: Db, backtestId: string): Promise<string | null> {
  const row = await db.query.backtests.findFirst({
    where: eq(backtests.id, backtestId),
    columns: { userId: true },
  });
  return row?.userId ?? null;
}

export async function loadBacktestRun(db: Db, backtestId: string) {
  const rows = await db
    .select({
      backtest: backtests,
      version: {
        id: strategyVersions.id,
        version: strategyVersions.version,
        code: strategyVersions.code,
        params: strategyVersions.params,
        lookback: strategyVersions.lookback,
      },
      authorId: strategies.authorId,
    })
    .from(backtests)
    .innerJoin(strategyVersions, eq(strategyVersions.id, backtests.versionId))
    .innerJoin(strategies, eq(strategies.id, backtests.strategyId))
    .where(eq(backtests.id, backtestId))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Updates the backtest and appends its progress event in ONE batch, both only while the row is in one of
 * `onlyFrom` (a redelivered job must not reopen a finished backtest); returns the event row to publish.
 */
async function writeWithEvent(
  db: Db,
  backtestId: string,
  set: Partial<typeof backtests.$inferInsert>,
  event: NewEvent,
  onlyFrom: Backtest["status"][],
  now: number,
): Promise<EventRow | null> {
  const statuses = sql.join(
    onlyFrom.map((s) => sql`${s}`),
    sql`, `,
  );
  // The event goes first: both statements then see the row's status before this update.
  const [inserted] = await db.batch([
    db.all<{ seq: number }>(sql`
      INSERT INTO events (user_id, type, payload, created_at)
      SELECT ${event.userId}, ${event.type}, ${JSON.stringify(event.payload)}, ${now}
      WHERE EXISTS (SELECT 1 FROM backtests WHERE id = ${backtestId} AND status IN (${statuses}))
      RETURNING seq`),
    db
      .update(backtests)
      .set(set)
      .where(and(eq(backtests.id, backtestId), inArray(backtests.status, onlyFrom))),
  ]);
  const seq = (inserted as { seq: number }[])[0]?.seq;
  if (seq === undefined) return null;
  return {
    seq: Number(seq),
    userId: event.userId,
    type: event.type,
    payload: JSON.stringify(event.payload),
    createdAt: now,
  };
}

const progressEvent = (
  b: Pick<Backtest, "id" | "userId">,
  status: Backtest["status"],
  progress: number,
  message?: string,
): NewEvent => ({
  userId: b.userId,
  type: "backtest.progress",
  payload: { backtestId: b.id, status, progress, ...(message ? { message } : {}) },
});

export async function startBacktestRun(db: Db, b: Pick<Backtest, "id" | "userId">, now = Date.now()) {
  return writeWithEvent(
    db,
    b.id,
    {
      status: "running",
      progress: 0,
      error: null,
      stats: null,
      equity: null,
      trades: null,
      finishedAt: null,
    },
    progressEvent(b, "running", 0, "Starting"),
    ["queued", "running"],
    now,
  );
}

export async function recordBacktestProgress(
  db: Db,
  b: Pick<Backtest, "id" | "userId">,
  progress: number,
  message: string,
  now = Date.now(),
) {
  return writeWithEvent(
    db,
    b.id,
    { progress },
    progressEvent(b, "running", progress, message),
    ["running"],
    now,
  );
}

export async function completeBacktestRun(
  db: Db,
  b: Pick<Backtest, "id" | "userId">,
  result: { stats: BacktestStats; equity: [number, number][]; trades: BacktestTrade[] },
  now = Date.now(),
) {
  return writeWithEvent(
    db,
    b.id,
    {
      status: "completed",
      progress: 1,
      stats: result.stats,
      equity: result.equity,
      trades: result.trades as unknown as Record<string, unknown>[],
      finishedAt: now,
    },
    progressEvent(b, "completed", 1, `${result.stats.trades} trades`),
    ["running"],
    now,
  );
}

export async function failBacktestRun(
  db: Db,
  b: Pick<Backtest, "id" | "userId">,
  error: string,
  now = Date.now(),
) {
  return writeWithEvent(
    db,
    b.id,
    { status: "failed", error: error.slice(0, 20_000), finishedAt: now },
    progressEvent(b, "failed", 1, error.split("\n")[0].slice(0, 300)),
    ["queued", "running"],
    now,
  );
}
