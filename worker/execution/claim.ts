// Claim: a stale close is recorded missed; otherwise the RUNNING row is inserted with a lease, and its unique key
// says "done already?". A RUNNING row whose lease lapsed is taken over (ADR 150).
import { newId } from "../../db/platform/ids";
import { findExecution, recordExecution } from "../../db/store/queries/executions";
import { claimExecution, takeOverExecution, type Claim } from "../../db/store/queries/leases";
import { recordMissedCloses } from "../../db/store/queries/registry";
import { isMissed } from "../boundaries";
import type { CandleJob } from "../candle-jobs";
import type { ExecutionReport } from "./report";
import type { CandleOutcome, ClaimedCandle, CoordinatorDeps } from "./types";

type ClaimDeps = Pick<
  CoordinatorDeps,
  "db" | "clock" | "missedAfterMs" | "workerId" | "marketData" | "logger" | "lockTtlMs"
>;

const MISSED_DETAIL = "The job for this close ran too late; only the latest close of a market is executed.";

/**
 * Outcomes that leave the candle with no row saying who finishes it: the job must be retried, not
 * completed (a completed job is never offered again: its id stays taken, ADR 040).
 */
export const leavesCandleOpen = (outcome: CandleOutcome) =>
  outcome.status === "locked" || outcome.status === "lock_lost" || outcome.status === "claimed_elsewhere";

/** The claim's lease: the lock's TTL, renewed with it (ADR 150). */
export const leaseMsOf = (deps: Pick<CoordinatorDeps, "lockTtlMs">) => deps.lockTtlMs ?? 30_000;

function newClaim(deps: ClaimDeps, job: CandleJob): Claim {
  return {
    id: newId(),
    ...job,
    versionId: null,
    marketSource: deps.marketData.source,
    workerId: deps.workerId,
    startedAt: Date.now(),
    leaseMs: leaseMsOf(deps),
  };
}

function claimed(deps: ClaimDeps, c: Claim, job: CandleJob): ClaimedCandle {
  const log = deps.logger.child({
    executionId: c.id,
    strategyId: job.strategyId,
    symbol: job.symbol,
    closeTime: job.closeTime,
  });
  return { job, executionId: c.id, startedAt: c.startedAt, log };
}

/** A close older than the grace is not executed: only the latest close of a market is (ADR 041). */
export async function skipIfMissed(
  deps: ClaimDeps,
  report: ExecutionReport,
  job: CandleJob,
): Promise<CandleOutcome | null> {
  if (!isMissed(job.closeTime, job.resolution, deps.clock.now(), deps.missedAfterMs)) return null;
  const recorded = await recordMissedCloses(deps.db, [job], {
    now: Date.now(),
    workerId: deps.workerId,
    detail: MISSED_DETAIL,
  });
  if (recorded === 0) {
    const held = await settledOrTakenOver(deps, report, job, newClaim(deps, job));
    if ("status" in held) return held;
    // A lapsed claim of a close that is stale by now ends SKIPPED "missed", like one nobody claimed.
    const result = await recordExecution(deps.db, {
      execution: {
        id: held.executionId,
        ...job,
        versionId: null,
        status: "SKIPPED",
        reason: "missed",
        errorKind: "missed",
        errorMessage: MISSED_DETAIL,
        subscriberCount: 0,
        startedAt: held.startedAt,
        finishedAt: Date.now(),
        workerId: deps.workerId,
      },
    });
    if (result.status !== "recorded") return { status: "in_progress" };
  }
  report.missed();
  return { status: "skipped", reason: "missed" };
}

/**
 * The common case has no row yet, so the claim comes first and answers "is it done?" in the same
 * statement. The version is filled in when the result is recorded.
 */
export async function claim(
  deps: ClaimDeps,
  report: ExecutionReport,
  job: CandleJob,
): Promise<ClaimedCandle | CandleOutcome> {
  const c = newClaim(deps, job);
  if (await claimExecution(deps.db, c)) return claimed(deps, c, job);
  return settledOrTakenOver(deps, report, job, c);
}

/** The candle has a row: done, held under a live lease, or ours now because its lease lapsed. */
async function settledOrTakenOver(
  deps: ClaimDeps,
  report: ExecutionReport,
  job: CandleJob,
  c: Claim,
): Promise<ClaimedCandle | CandleOutcome> {
  const existing = await findExecution(deps.db, job);
  if (!existing) return { status: "claimed_elsewhere" };
  if (existing.status !== "RUNNING") return { status: "already_done", existingStatus: existing.status };
  if (!(await takeOverExecution(deps.db, existing.id, c))) return { status: "in_progress" };
  const taken = claimed(deps, c, job);
  report.takenOver(taken, existing.workerId);
  return taken;
}
