// Executes one candle of one strategy as named steps under its lock: claim, run the versions, plan, record,
// publish, send orders. Each step lives in worker/execution/; metrics and logs in its report.
import { executionLockKey } from "../db/contracts/cache-keys";
import { AUTHOR_TIME_BUDGET } from "../db/contracts/domain";
import { withLock } from "../db/infra/with-lock";
import { refreshStrategyPerformance } from "../db/store/queries/marketplace";
import type { RecordExecutionResult } from "../db/store/queries/executions";
import { DEFAULT_PAPER_CONFIG } from "./brokers/paper";
import type { CandleJob } from "./candle-jobs";
import { claim, skipIfMissed } from "./execution/claim";
import { planCandle } from "./execution/plan";
import { publishEvents } from "./execution/publish";
import { createExecutionRecorder } from "./execution/record";
import { createExecutionReport } from "./execution/report";
import type { CandleOutcome, ClaimedCandle, CoordinatorDeps, CoordinatorStep } from "./execution/types";
import { createVersionRuns, everyVersionFailed, type Followers, type RunFailure } from "./execution/versions";
import { planFailedRun } from "./fan-out";

export type { CandleOutcome, CoordinatorDeps, CoordinatorStep } from "./execution/types";

type Followed = Extract<Followers, { followed: true }>;

export function createCoordinator(deps: CoordinatorDeps) {
  const lockTtlMs = deps.lockTtlMs ?? 30_000;
  const paper = deps.paper ?? DEFAULT_PAPER_CONFIG;
  const report = createExecutionReport(deps.metrics, deps.logger);
  const versions = createVersionRuns(deps, report);
  const record = createExecutionRecorder(deps);
  const step = async (s: CoordinatorStep, job: CandleJob) => {
    if (deps.onStep) await deps.onStep(s, job);
  };

  /** Handles one candle job; never throws for an expected outcome (the job then completes). */
  async function executeCandle(job: CandleJob): Promise<CandleOutcome> {
    const reported = report.start(job);
    const locked = await withLock(
      deps.lock,
      executionLockKey(job),
      lockTtlMs,
      (signal) => runLocked(job, signal),
      {
        onReleaseError: (error) =>
          deps.logger.warn(
            { err: error, job },
            "could not release the execution lock; it expires by its TTL",
          ),
      },
    );
    const outcome: CandleOutcome = locked.acquired ? locked.value : { status: "locked" };
    reported(locked, outcome);
    return outcome;
  }

  async function runLocked(job: CandleJob, lockSignal: AbortSignal): Promise<CandleOutcome> {
    await step("locked", job);
    const missed = await skipIfMissed(deps, report, job);
    if (missed) return missed;
    // A lock lost before the claim stops the work: another worker may hold the candle now. After the
    // claim the RUNNING row is the fence, so the work goes on and a late result is refused (ADR 046).
    if (lockSignal.aborted) return { status: "lock_lost" };
    const claimed = await claim(deps, job);
    if ("status" in claimed) return claimed;
    await step("claimed", job);
    try {
      return await runClaimed(claimed);
    } catch (error) {
      report.failedInternally(claimed, error);
      await record.failedInternally(claimed, error);
      return { status: "failed", executionId: claimed.executionId, errorKind: "internal" };
    }
  }

  async function runClaimed(c: ClaimedCandle): Promise<CandleOutcome> {
    const followers = await versions.readFollowers(c);
    if (!followers.followed) {
      const result = await record.skipped(c, followers);
      if (result.status === "already_recorded") return fenced(c, result);
      report.skipped();
      return { status: "skipped", reason: followers.reason };
    }
    const ran = await versions.run(c, followers);
    if (!ran.ok) return failed(c, followers, ran.failure);
    await step("ran", c.job);
    const everyFailed = everyVersionFailed(ran);
    if (everyFailed) return failed(c, followers, everyFailed);

    const fanoutStarted = performance.now();
    const plan = await planCandle({ ...deps, paper }, c, followers, ran);
    await step("planned", c.job);
    const finishedAt = Date.now();
    const result = await record.completed(c, followers, ran, plan, { finishedAt, fanoutStarted });
    await step("recorded", c.job);
    if (result.status === "already_recorded") return fenced(c, result);
    await publishEvents(deps.bus, c.log, plan.events, result.eventSeqs, finishedAt);
    await step("published", c.job);
    const primary = ran.runs[0];
    const signal = primary.ok ? primary.signal.action : null;
    report.completed(c, {
      signal,
      subscribers: followers.subscriptions.length,
      opened: result.tradesCreated,
      closed: result.tradesClosed,
      closeReasons: plan.closes.map((close) => close.exitReason),
      runMs: ran.runMs,
      fanoutStarted,
    });
    if (result.ordersCreated > 0) await deps.exchange.sendOrders(c.executionId, c.log);
    if (result.tradesClosed > 0) await refreshPerformance(c);
    return {
      status: "executed",
      executionId: c.executionId,
      signal,
      opened: result.tradesCreated,
      closed: result.tradesClosed,
    };
  }

  /**
   * No version answered: a FAILED execution that still tells every subscriber, in the same transaction;
   * SKIPPED when no run started because the author's time at this close was spent (ADR 176).
   */
  async function failed(c: ClaimedCandle, followers: Followed, failure: RunFailure): Promise<CandleOutcome> {
    const overBudget = [...failure.outcomes.values()].every((o) => !o.ok && o.kind === AUTHOR_TIME_BUDGET);
    const status = overBudget ? "SKIPPED" : "FAILED";
    const plan = planFailedRun(
      {
        execution: { id: c.executionId, ...c.job },
        subscriptions: followers.subscriptions,
        versionOf: followers.versionOf,
        outcomes: failure.outcomes,
      },
      status,
    );
    const finishedAt = Date.now();
    const result = await record.failed(c, followers, failure, plan, finishedAt, status);
    if (result.status === "already_recorded") return fenced(c, result);
    await publishEvents(deps.bus, c.log, plan.events, result.eventSeqs, finishedAt);
    if (overBudget) {
      report.overBudget(c, failure.errorMessage);
      return { status: "skipped", reason: AUTHOR_TIME_BUDGET };
    }
    report.failed(c, failure.errorKind, failure.errorMessage);
    return { status: "failed", executionId: c.executionId, errorKind: failure.errorKind };
  }

  function fenced(
    c: ClaimedCandle,
    result: Extract<RecordExecutionResult, { status: "already_recorded" }>,
  ): CandleOutcome {
    report.fenced(c, result.existingStatus);
    return { status: "fenced", executionId: c.executionId };
  }

  /** The marketplace cards read cached figures; refresh them when this candle realised P&L. */
  async function refreshPerformance(c: ClaimedCandle) {
    await refreshStrategyPerformance(deps.db, c.job.strategyId).catch((error: unknown) =>
      c.log.warn({ err: error }, "could not refresh the strategy's cached performance"),
    );
  }

  return { executeCandle };
}

export type Coordinator = ReturnType<typeof createCoordinator>;
