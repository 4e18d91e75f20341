// Executes one candle of one strategy: lock, claim, one sandboxed run per version, fan-out, one transaction, publish.
import type { Db } from "../db/store/client";
import { executionLockKey } from "../db/contracts/cache-keys";
import { RESOLUTION_MS, sendsExchangeOrders, type Candle, type Resolution } from "../db/contracts/domain";
import { OUTBOX_CHANNEL, type NewEvent, type OutboxEvent } from "../db/contracts/events";
import { newId } from "../db/platform/ids";
import type { Bus } from "../db/infra/bus";
import type { Cache } from "../db/infra/cache";
import type { Lock } from "../db/infra/lock";
import { withLock } from "../db/infra/with-lock";
import type { Logger } from "../db/platform/logger.server";
import { failExecution, findExecution, recordExecution } from "../db/store/queries/executions";
import { claimExecution, takeOverExecution, type Claim } from "../db/store/queries/leases";
import { refreshStrategyPerformance } from "../db/store/queries/marketplace";
import {
  listFanOutSubscriptions,
  listOpenTradesOfStrategy,
  type FanOutSubscription,
} from "../db/store/queries/fan-out";
import { recordMissedCloses } from "../db/store/queries/registry";
import {
  getStrategySettings,
  getVersionSettings,
  type VersionSettings,
} from "../db/store/queries/strategy-settings";
import { isMissed } from "./boundaries";
import { keepLease } from "./lease";
import { DEFAULT_PAPER_CONFIG, type PaperConfig } from "./brokers/paper";
import type { ExchangeAccess } from "./exchange-access";
import { planFanOut, PAPER_LIMITS, type VersionOutcome } from "./fan-out";
import type { CandleJob } from "./candle-jobs";
import type { MarketData } from "./market-data/market-data";
import type { WorkerMetrics } from "./metrics";
import { atr } from "./risk/atr";
import type { StrategyRunner } from "./runtime";

/** Where a candle's execution is; tests pause or kill a worker at these points. */
export type CoordinatorStep = "locked" | "claimed" | "ran" | "planned" | "recorded" | "published";

export type CandleOutcome =
  | { status: "executed"; executionId: string; signal: string | null; opened: number; closed: number }
  | { status: "failed"; executionId: string; errorKind: string }
  | { status: "skipped"; reason: "missed" | "no_active_subscriptions" | "strategy_not_found" }
  | { status: "locked" }
  | { status: "lock_lost" }
  | { status: "already_done"; existingStatus: string }
  | { status: "in_progress" }
  | { status: "claimed_elsewhere" }
  | { status: "fenced"; executionId: string };

/**
 * Outcomes that leave the candle with no row saying who finishes it: the job must be retried, not
 * completed (a completed job is never offered again: its id stays taken, ADR 040).
 */
export const leavesCandleOpen = (outcome: CandleOutcome) =>
  outcome.status === "locked" || outcome.status === "lock_lost" || outcome.status === "claimed_elsewhere";

export interface CoordinatorDeps {
  db: Db;
  cache: Cache;
  lock: Lock;
  bus: Bus;
  marketData: MarketData;
  runner: Pick<StrategyRunner, "runLive">;
  /** Simulated time: decides whether a close is stale. */
  clock: { now(): number };
  workerId: string;
  logger: Logger;
  metrics: WorkerMetrics;
  exchange: ExchangeAccess;
  paper?: PaperConfig;
  /** Lock TTL and the claim's lease (ADR 150); both renewed every third of it while the execution runs. */
  lockTtlMs?: number;
  /** Simulated ms after which an older close is no longer executed but recorded missed. */
  missedAfterMs: number;
  onStep?: (step: CoordinatorStep, job: CandleJob) => void | Promise<void>;
}

/** Candles for the ATR the risk function sizes with (Wilder's 14 needs 15; more smooths the seed). */
const ATR_WINDOW = 30;
const MAX_LOG_CHARS = 16_000;
const MAX_EVENTS_PER_MESSAGE = 1_000;

const boundedLog = (lines: string[], extra = "") => {
  const text = [...lines, extra].filter(Boolean).join("\n");
  return text.length <= MAX_LOG_CHARS ? text : `${text.slice(0, MAX_LOG_CHARS)}\n… (truncated)`;
};

/** The latest version's run, started before the subscribers are read. */
interface EarlyRun {
  versionId: string;
  count: number;
  candles: Promise<Candle[]>;
  run: ReturnType<StrategyRunner["runLive"]>;
  started: number;
}

interface VersionGroup {
  version: VersionSettings;
  subscriptions: FanOutSubscription[];
}

export function createCoordinator(deps: CoordinatorDeps) {
  const { db, logger, metrics } = deps;
  const lockTtlMs = deps.lockTtlMs ?? 30_000;
  const paper = deps.paper ?? DEFAULT_PAPER_CONFIG;
  const step = async (s: CoordinatorStep, job: CandleJob) => {
    if (deps.onStep) await deps.onStep(s, job);
  };
  const onCacheError = (error: unknown, context: { key: string; operation: string }) =>
    logger.warn({ err: error, ...context }, "settings cache unavailable; read the store");

  async function publish(
    events: NewEvent[],
    seqs: { first: number; last: number } | null,
    createdAt: number,
  ) {
    if (!seqs || events.length === 0) return;
    const outbox: OutboxEvent[] = events.map((ev, i) => ({
      seq: seqs.first + i,
      userId: ev.userId,
      type: ev.type,
      payload: ev.payload,
      createdAt,
    }));
    try {
      for (let i = 0; i < outbox.length; i += MAX_EVENTS_PER_MESSAGE) {
        await deps.bus.publish(OUTBOX_CHANNEL, { events: outbox.slice(i, i + MAX_EVENTS_PER_MESSAGE) });
      }
    } catch (error) {
      // The events are committed: a browser gets them by replay from its Last-Event-ID.
      logger.warn(
        { err: error },
        "could not publish events on the bus; streams will replay them from the outbox",
      );
    }
  }

  /** Subscriptions grouped by the version they follow, limited to versions that trade this market. */
  async function groupByVersion(job: CandleJob, latestVersionId: string | null, subs: FanOutSubscription[]) {
    const byVersion = new Map<string, FanOutSubscription[]>();
    for (const sub of subs) {
      const versionId = sub.pinnedVersionId ?? latestVersionId;
      if (!versionId) continue;
      let list = byVersion.get(versionId);
      if (!list) byVersion.set(versionId, (list = []));
      list.push(sub);
    }
    const groups: VersionGroup[] = [];
    for (const [versionId, subscriptions] of byVersion) {
      const version = await getVersionSettings(deps.cache, db, versionId, onCacheError);
      if (version && version.resolution === job.resolution && version.symbols.includes(job.symbol)) {
        groups.push({ version, subscriptions });
      }
    }
    // The latest version first (it names the execution row), then by following.
    groups.sort(
      (a, b) =>
        Number(b.version.versionId === latestVersionId) - Number(a.version.versionId === latestVersionId) ||
        b.subscriptions.length - a.subscriptions.length,
    );
    return groups;
  }

  const tradesMarket = (v: VersionSettings, job: CandleJob) =>
    v.resolution === job.resolution && v.symbols.includes(job.symbol);

  async function fetchCandles(job: CandleJob, count: number): Promise<Candle[]> {
    const candles = await deps.marketData.closedCandles(
      job.symbol,
      job.resolution as Resolution,
      job.closeTime,
      count,
    );
    if (
      candles.length === 0 ||
      candles[candles.length - 1].time + RESOLUTION_MS[job.resolution] !== job.closeTime
    ) {
      throw new Error(`the market data has no candle closing at ${new Date(job.closeTime).toISOString()}`);
    }
    return candles;
  }

  /** The window (for the latest version's lookback and the ATR) and the run on it, started at once. */
  function startRun(job: CandleJob, version: VersionSettings): EarlyRun {
    const count = Math.max(ATR_WINDOW, version.lookback);
    const candles = fetchCandles(job, count);
    const started = performance.now();
    const run = candles.then((c) =>
      deps.runner.runLive({
        code: version.code,
        params: version.params,
        candles: c.slice(-version.lookback),
      }),
    );
    // Whoever awaits them reports the failure; until then it is noted here so it is never "unhandled".
    const noted = (what: string) => (error: unknown) =>
      logger.debug(
        { err: error, job },
        `the early ${what} failed; the execution reports it when it awaits it`,
      );
    candles.catch(noted("candle read"));
    run.catch(noted("run"));
    return { versionId: version.versionId, count, candles, run, started };
  }

  /** The early run's result is not needed any more; a failure of it is still logged. */
  function abandonRun(early: EarlyRun, log: Logger) {
    early.run.then(
      (r) => {
        if (!r.ok) log.info({ errorKind: r.error.kind }, "the unneeded early run failed");
      },
      (error: unknown) => log.warn({ err: error }, "the unneeded early run threw"),
    );
  }

  const MISSED_DETAIL = "The job for this close ran too late; only the latest close of a market is executed.";

  async function runLocked(job: CandleJob, lockSignal: AbortSignal): Promise<CandleOutcome> {
    const missed = isMissed(job.closeTime, job.resolution, deps.clock.now(), deps.missedAfterMs);
    if (missed) {
      const recorded = await recordMissedCloses(db, [job], {
        now: Date.now(),
        workerId: deps.workerId,
        detail: MISSED_DETAIL,
      });
      if (recorded > 0) return skippedMissed();
    }
    // A lock lost before the claim stops the work: another worker may hold the candle now. After the
    // claim the RUNNING row and its lease are the fence, so the work goes on and a late result is refused.
    if (lockSignal.aborted) return { status: "lock_lost" };
    const executionId = newId();
    const startedAt = Date.now();
    const base = {
      id: executionId,
      ...job,
      marketSource: deps.marketData.source,
      workerId: deps.workerId,
      startedAt,
    };
    const claim: Claim = { ...base, versionId: null, leaseMs: lockTtlMs };
    // Claim first: the common case has no row yet, and the claim's unique key answers "is it done?"
    // in the same statement. The version is filled in when the result is recorded.
    if (missed || !(await claimExecution(db, claim))) {
      const existing = await findExecution(db, job);
      if (!existing) return { status: "claimed_elsewhere" };
      if (existing.status !== "RUNNING") return { status: "already_done", existingStatus: existing.status };
      if (!(await takeOverExecution(db, existing.id, claim))) return { status: "in_progress" };
      metrics.takenOver.inc();
      logger.warn(
        { job, previousWorker: existing.workerId, executionId },
        "took over a candle whose claim's lease lapsed; its previous holder's commit will be refused",
      );
      if (missed) return finishMissed(job, base);
    }
    await step("claimed", job);
    const log = logger.child({
      executionId,
      strategyId: job.strategyId,
      symbol: job.symbol,
      closeTime: job.closeTime,
    });
    const lease = keepLease({ db, executionId, leaseMs: lockTtlMs, log });
    try {
      return await runClaimedRow(job, base, log);
    } finally {
      await lease.stop();
    }
  }

  function skippedMissed(): CandleOutcome {
    metrics.missed.inc();
    metrics.executions.inc({ status: "SKIPPED" });
    return { status: "skipped", reason: "missed" };
  }

  /** A taken-over row of a close that is missed by now ends SKIPPED "missed", like one nobody claimed. */
  async function finishMissed(
    job: CandleJob,
    base: { id: string; startedAt: number; workerId: string },
  ): Promise<CandleOutcome> {
    const result = await recordExecution(db, {
      execution: {
        ...base,
        ...job,
        versionId: null,
        status: "SKIPPED",
        reason: "missed",
        errorKind: "missed",
        errorMessage: MISSED_DETAIL,
        subscriberCount: 0,
        finishedAt: Date.now(),
      },
    });
    return result.status === "recorded" ? skippedMissed() : { status: "in_progress" };
  }

  async function runClaimedRow(
    job: CandleJob,
    base: { id: string; marketSource: string; workerId: string; startedAt: number } & CandleJob,
    log: Logger,
  ): Promise<CandleOutcome> {
    const { id: executionId, startedAt } = base;
    try {
      const settings = await getStrategySettings(deps.cache, db, job.strategyId, onCacheError);
      const latest = settings?.latestVersionId
        ? await getVersionSettings(deps.cache, db, settings.latestVersionId, onCacheError)
        : null;
      // Start the latest version's run before reading the subscribers: the sandbox works in its own
      // process while this one reads 10,000 rows. Wasted only when nobody follows the latest version.
      const early = latest && tradesMarket(latest, job) ? startRun(job, latest) : null;
      const subs = settings ? await listFanOutSubscriptions(db, job.strategyId) : [];
      const groups = settings ? await groupByVersion(job, settings.latestVersionId, subs) : [];
      if (!settings || groups.length === 0) {
        if (early) abandonRun(early, log);
        const reason = settings ? "no_active_subscriptions" : "strategy_not_found";
        const result = await recordExecution(db, {
          execution: {
            ...base,
            versionId: settings?.latestVersionId ?? null,
            status: "SKIPPED",
            reason,
            subscriberCount: 0,
            finishedAt: Date.now(),
          },
        });
        if (result.status === "recorded") metrics.executions.inc({ status: "SKIPPED" });
        return { status: "skipped", reason };
      }
      const subscriberCount = groups.reduce((n, g) => n + g.subscriptions.length, 0);
      return await runClaimed(job, {
        executionId,
        startedAt,
        primary: groups[0].version,
        groups,
        subscriberCount,
        log,
        early,
      });
    } catch (error) {
      // Unexpected (a bug, the store went away): finish the row now rather than leave it to the janitor.
      log.error({ err: error }, "execution failed unexpectedly");
      await failExecution(db, executionId, {
        errorKind: "internal",
        errorMessage: `The worker failed while executing this candle: ${error instanceof Error ? error.message : String(error)}`,
        finishedAt: Date.now(),
      }).catch((failError) =>
        log.error({ err: failError }, "could not mark the execution FAILED; the janitor will"),
      );
      metrics.executions.inc({ status: "FAILED" });
      return { status: "failed", executionId, errorKind: "internal" };
    }
  }

  async function runClaimed(
    job: CandleJob,
    ctx: {
      executionId: string;
      startedAt: number;
      primary: VersionSettings;
      groups: VersionGroup[];
      subscriberCount: number;
      log: Logger;
      early: EarlyRun | null;
    },
  ): Promise<CandleOutcome> {
    const { executionId, primary, groups, log } = ctx;
    const base = { id: executionId, ...job, workerId: deps.workerId, startedAt: ctx.startedAt };
    const allSubs = groups.flatMap((g) => g.subscriptions);
    const versionBySub = new Map<string, string>();
    for (const g of groups) for (const s of g.subscriptions) versionBySub.set(s.id, g.version.versionId);

    const count = Math.max(ATR_WINDOW, ...groups.map((g) => g.version.lookback));
    const early = ctx.early;
    let candles: Candle[];
    try {
      candles = early && early.count >= count ? await early.candles : await fetchCandles(job, count);
    } catch (error) {
      if (early) abandonRun(early, log);
      return finishFailed(
        job,
        ctx,
        allSubs,
        "market_data",
        `Candles unavailable: ${error instanceof Error ? error.message : String(error)}`,
        [],
      );
    }

    const runStarted = early?.started ?? performance.now();
    const runsDone = Promise.all(
      groups.map((g) =>
        early && g.version.versionId === early.versionId
          ? early.run
          : deps.runner.runLive({
              code: g.version.code,
              params: g.version.params,
              candles: candles.slice(-g.version.lookback),
            }),
      ),
    );
    // The open positions are read while the sandbox runs.
    const [runs, openTrades] = await Promise.all([
      runsDone.then((r) => {
        metrics.runSeconds.observe((performance.now() - runStarted) / 1000);
        return r;
      }),
      listOpenTradesOfStrategy(db, job.strategyId),
    ]);
    const runMs = performance.now() - runStarted;
    await step("ran", job);

    const outcomes = new Map<string, VersionOutcome>();
    runs.forEach((r, i) =>
      outcomes.set(
        groups[i].version.versionId,
        r.ok ? { ok: true, signal: r.signal } : { ok: false, kind: r.error.kind, message: r.error.message },
      ),
    );
    const primaryRun = runs[0];
    if (runs.every((r) => !r.ok)) {
      const err = !primaryRun.ok ? primaryRun.error : null;
      return finishFailed(
        job,
        ctx,
        allSubs,
        err?.kind ?? "runtime",
        err?.message ?? "The strategy failed.",
        [...(err?.logs ?? []), err?.traceback ?? ""],
        runMs,
      );
    }

    const fanoutStarted = performance.now();
    const exchangeSubs = allSubs.filter((s) => s.brokerKind === "exchange");
    const exchangeState = new Map<string, ReturnType<Parameters<typeof planFanOut>[0]["brokerFor"]>>();
    // Second line of defence behind the subscribe form: never real orders on invented prices.
    const realPrices = sendsExchangeOrders(deps.marketData.source);
    for (const accountId of new Set(exchangeSubs.map((s) => s.brokerAccountId))) {
      exchangeState.set(
        accountId,
        realPrices
          ? await deps.exchange.prepare(accountId, job.symbol)
          : {
              reason: "simulated_market",
              unavailable: `No exchange order: this candle's prices come from the ${deps.marketData.source} market.`,
            },
      );
    }
    const plan = planFanOut({
      execution: { id: executionId, ...job },
      subscriptions: allSubs,
      versionOf: (s) => versionBySub.get(s.id)!,
      outcomes,
      openTrades,
      candles,
      atr: atr(candles),
      paper,
      brokerFor: (s) =>
        s.brokerKind === "paper" ? { limits: PAPER_LIMITS } : exchangeState.get(s.brokerAccountId)!,
    });
    await step("planned", job);

    const signal = primaryRun.ok ? primaryRun.signal : null;
    const logs = runs.flatMap((r, i) =>
      groups.length === 1
        ? r.ok
          ? r.logs
          : r.error.logs
        : [`[version ${groups[i].version.version}]`, ...(r.ok ? r.logs : r.error.logs)],
    );
    const finishedAt = Date.now();
    const result = await recordExecution(db, {
      execution: {
        ...base,
        versionId: primary.versionId,
        status: "COMPLETED",
        signal: signal?.action ?? null,
        confidence: signal?.confidence ?? null,
        price: candles[candles.length - 1].close,
        stopLossHint: signal?.stopLoss ?? null,
        takeProfitHint: signal?.takeProfit ?? null,
        reason: signal?.reason || null,
        subscriberCount: ctx.subscriberCount,
        errorKind: primaryRun.ok ? null : primaryRun.error.kind,
        errorMessage: primaryRun.ok ? null : primaryRun.error.message,
        log: boundedLog(logs),
        finishedAt,
        runMs,
        fanoutMs: performance.now() - fanoutStarted,
      },
      trades: plan.trades,
      closes: plan.closes,
      events: plan.events,
      orders: plan.orders.map((o) => ({ ...o, id: newId() })),
    });
    await step("recorded", job);
    if (result.status === "already_recorded") return fenced(result, log);
    await publish(plan.events, result.eventSeqs, finishedAt);
    metrics.fanoutSeconds.observe((performance.now() - fanoutStarted) / 1000);
    await step("published", job);
    metrics.executions.inc({ status: "COMPLETED" });
    metrics.tradesOpened.inc({}, result.tradesCreated);
    for (const c of plan.closes) metrics.tradesClosed.inc({ reason: c.exitReason });
    log.info(
      {
        signal: signal?.action,
        subscribers: ctx.subscriberCount,
        opened: result.tradesCreated,
        closed: result.tradesClosed,
        runMs: Math.round(runMs),
      },
      "execution completed",
    );
    if (result.ordersCreated > 0) await deps.exchange.sendOrders(executionId, log);
    // The marketplace cards read cached figures; refresh them when this candle realised P&L.
    if (result.tradesClosed > 0) {
      await refreshStrategyPerformance(db, job.strategyId).catch((error: unknown) =>
        log.warn({ err: error }, "could not refresh the strategy's cached performance"),
      );
    }
    return {
      status: "executed",
      executionId,
      signal: signal?.action ?? null,
      opened: result.tradesCreated,
      closed: result.tradesClosed,
    };
  }

  /** Our commit was refused: our lease lapsed (the row may be someone else's now) or the candle was finished. */
  function fenced(
    result: { executionId: string | null; existingStatus: string | null },
    log: Logger,
  ): CandleOutcome {
    metrics.fenced.inc();
    log.warn(
      { existingStatus: result.existingStatus, holder: result.executionId },
      "commit refused: this worker's lease on the candle lapsed, nothing written",
    );
    return { status: "fenced", executionId: result.executionId ?? "" };
  }

  /** A FAILED result still tells every subscriber, in the same transaction. */
  async function finishFailed(
    job: CandleJob,
    ctx: {
      executionId: string;
      startedAt: number;
      primary: VersionSettings;
      subscriberCount: number;
      log: Logger;
    },
    subs: FanOutSubscription[],
    errorKind: string,
    errorMessage: string,
    logs: string[],
    runMs?: number,
  ): Promise<CandleOutcome> {
    const finishedAt = Date.now();
    const events: NewEvent[] = subs.map((s) => ({
      userId: s.userId,
      type: "execution",
      payload: {
        executionId: ctx.executionId,
        strategyId: job.strategyId,
        subscriptionId: s.id,
        symbol: job.symbol,
        resolution: job.resolution,
        closeTime: job.closeTime,
        status: "FAILED",
        signal: null,
        opened: null,
        closed: [],
        skipped: {
          reason: errorKind === "market_data" ? "market_data" : "strategy_error",
          detail: `${errorKind}: ${errorMessage}`,
        },
      },
    }));
    const result = await recordExecution(db, {
      execution: {
        id: ctx.executionId,
        ...job,
        versionId: ctx.primary.versionId,
        status: "FAILED",
        subscriberCount: ctx.subscriberCount,
        errorKind,
        errorMessage,
        log: boundedLog(logs),
        startedAt: ctx.startedAt,
        finishedAt,
        runMs: runMs ?? null,
        workerId: deps.workerId,
      },
      events,
    });
    if (result.status === "already_recorded") return fenced(result, ctx.log);
    await publish(events, result.eventSeqs, finishedAt);
    metrics.executions.inc({ status: "FAILED" });
    ctx.log.warn({ errorKind, errorMessage }, "execution failed");
    return { status: "failed", executionId: ctx.executionId, errorKind };
  }

  /** Handles one candle job; never throws for an expected outcome (the job then completes). */
  async function executeCandle(job: CandleJob): Promise<CandleOutcome> {
    const finishTimer = metrics.executionSeconds.startTimer();
    const outcome = await withLock(
      deps.lock,
      executionLockKey(job),
      lockTtlMs,
      async (lockSignal) => {
        await step("locked", job);
        return runLocked(job, lockSignal);
      },
      {
        onReleaseError: (error) =>
          logger.warn({ err: error, job }, "could not release the execution lock; it expires by its TTL"),
      },
    );
    if (!outcome.acquired) {
      metrics.lockContention.inc();
      metrics.candleJobs.inc({ outcome: "locked" });
      return { status: "locked" };
    }
    if (outcome.lost) {
      metrics.lockLost.inc();
      logger.warn(
        { job, outcome: outcome.value.status },
        "the execution lock lapsed while running; the store's unique keys fenced the result",
      );
    }
    if (outcome.value.status === "executed" || outcome.value.status === "failed") finishTimer();
    metrics.candleJobs.inc({ outcome: outcome.value.status });
    return outcome.value;
  }

  return { executeCandle };
}

export type Coordinator = ReturnType<typeof createCoordinator>;
