// Claim: a stale close is recorded missed; otherwise the RUNNING row is inserted, and its unique key says "done already?".
import { newId } from "../../db/platform/ids";
import { claimExecution, findExecution } from "../../db/store/queries/executions";
import { recordMissedCloses } from "../../db/store/queries/registry";
import { isMissed } from "../boundaries";
import type { CandleJob } from "../candle-jobs";
import type { ExecutionReport } from "./report";
import type { CandleOutcome, ClaimedCandle, CoordinatorDeps } from "./types";

type ClaimDeps = Pick<
  CoordinatorDeps,
  "db" | "clock" | "missedAfterMs" | "workerId" | "marketData" | "logger"
>;

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
    detail: "The job for this close ran too late; only the latest close of a market is executed.",
  });
  if (recorded === 0) return existingOutcome(deps, job);
  report.missed();
  return { status: "skipped", reason: "missed" };
}

/**
 * The common case has no row yet, so the claim comes first and answers "is it done?" in the same
 * statement. The version is filled in when the result is recorded.
 */
export async function claim(deps: ClaimDeps, job: CandleJob): Promise<ClaimedCandle | CandleOutcome> {
  const executionId = newId();
  const startedAt = Date.now();
  const claimed = await claimExecution(deps.db, {
    id: executionId,
    ...job,
    versionId: null,
    marketSource: deps.marketData.source,
    workerId: deps.workerId,
    startedAt,
  });
  if (!claimed) return existingOutcome(deps, job);
  const log = deps.logger.child({
    executionId,
    strategyId: job.strategyId,
    symbol: job.symbol,
    closeTime: job.closeTime,
  });
  return { job, executionId, startedAt, log };
}

async function existingOutcome(deps: Pick<ClaimDeps, "db">, job: CandleJob): Promise<CandleOutcome> {
  const existing = await findExecution(deps.db, job);
  if (!existing) return { status: "claimed_elsewhere" };
  return existing.status === "RUNNING"
    ? { status: "in_progress" }
    : { status: "already_done", existingStatus: existing.status };
}
