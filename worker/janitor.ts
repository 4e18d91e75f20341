// The janitor: RUNNING executions whose lease lapsed long ago and that nobody took over become FAILED,
// outbox events past their retention are pruned, expired login sessions and idempotency keys deleted.
import type { Db } from "../db/store/client";
import type { Logger } from "../db/platform/logger.server";
import { pruneEvents } from "../db/store/queries/event-replay";
import { failStuckExecutions } from "../db/store/queries/leases";
import { deleteExpiredSessions } from "../db/store/queries/sessions";
import { deleteExpiredIdempotencyKeys } from "../db/store/queries/idempotency";
import type { WorkerMetrics } from "./metrics";

export function createJanitor(deps: {
  db: Db;
  /** A RUNNING row whose lease lapsed this long ago (real ms) is stuck: no worker could take it over. */
  stuckAfterMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  return async function sweepStuckExecutions(): Promise<string[]> {
    const t = now();
    const ids = await failStuckExecutions(deps.db, deps.stuckAfterMs, t);
    const pruned = await pruneEvents(deps.db, t);
    if (pruned > 0) deps.logger.info({ pruned }, "janitor: pruned outbox events past their retention");
    const expiredSessions = await deleteExpiredSessions(deps.db, t);
    if (expiredSessions > 0) deps.logger.info({ expiredSessions }, "janitor: deleted expired login sessions");
    const expiredKeys = await deleteExpiredIdempotencyKeys(deps.db, t);
    if (expiredKeys > 0) deps.logger.info({ expiredKeys }, "janitor: deleted expired idempotency keys");
    if (ids.length > 0) {
      deps.metrics.janitorFailed.inc({}, ids.length);
      deps.metrics.executions.inc({ status: "FAILED" }, ids.length);
      deps.logger.warn({ executionIds: ids }, "janitor: finished stuck executions as FAILED");
    }
    return ids;
  };
}
