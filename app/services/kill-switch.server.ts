// The kill switch for the pages and the API (ADR 148): pause the subscription(s), then queue the job that
// closes every open trade at market and takes the resting orders off the exchange.
import type { AppLoadContext } from "@remix-run/node";
import { newId } from "../../db/platform/ids";
import { QUEUES } from "../../db/contracts/queues-and-channels";
import type { CloseAllJob } from "../../db/contracts/jobs";
import {
  pauseForCloseAll,
  readCloseAllScope,
  undoCloseAllPause,
  type CloseAllTarget,
} from "../../db/store/queries/kill-switch";
import { JobsUnavailableError } from "./author-jobs.server";
import { announceSubscriptionChange } from "./subscriptions.server";

const UNAVAILABLE = "the kill switch cannot close positions now; nothing was changed";

export interface CloseAllQueued {
  /** The request's id, also its job's: the same request queued twice is one job. */
  id: string;
  subscriptionsPaused: number;
  /** What the job will close and cancel, as the store holds it now. */
  openTrades: number;
  restingOrders: number;
}

/**
 * Pauses the target's active subscriptions (no new entries), then queues the close-all job. Null when the
 * subscription or account is not the user's. Without a reachable queue it throws JobsUnavailableError and
 * leaves every subscription as it was.
 */
export async function closeAllPositions(
  context: AppLoadContext,
  userId: string,
  target: CloseAllTarget,
): Promise<CloseAllQueued | null> {
  const { store, logger } = context.app;
  const jobs = context.app.jobs;
  if (!jobs) throw new JobsUnavailableError(UNAVAILABLE);
  const scope = await readCloseAllScope(store.db, userId, target);
  if (!scope) return null;
  const id = newId();
  const pausedAt = Date.now();
  const paused = await pauseForCloseAll(
    store.db,
    scope.active.map((s) => s.id),
    pausedAt,
  );
  if (scope.subscriptionIds.length > 0) {
    const job: CloseAllJob = {
      requestId: id,
      userId,
      brokerAccountId: scope.brokerAccountId,
      subscriptionIds: scope.subscriptionIds,
      pausedAt,
    };
    try {
      await jobs.send(QUEUES.positionsCloseAll, job);
    } catch (error) {
      await undoCloseAllPause(store.db, scope.active, pausedAt);
      logger.warn({ err: error, target }, "kill switch: could not queue the close-all job");
      throw new JobsUnavailableError(UNAVAILABLE);
    }
  }
  for (const p of paused)
    await announceSubscriptionChange(context, userId, {
      subscriptionId: p.id,
      strategyId: p.strategyId,
      status: p.status,
    });
  return {
    id,
    subscriptionsPaused: paused.length,
    openTrades: scope.openTrades,
    restingOrders: scope.restingOrders,
  };
}
