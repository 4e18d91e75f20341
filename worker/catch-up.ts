// The catch-up sweep: the latest due close of every active key is enqueued, older closes nobody ran are recorded missed.
import type { Db } from "../db/store/client";
import type { Logger } from "../db/platform/logger.server";
import { listExecutedCloses, recordMissedCloses, type CloseWindow } from "../db/store/queries/registry";
import { catchUpReach, catchUpWindow, missedCloses } from "./boundaries";
import type { CandleJob } from "./candle-jobs";
import type { WorkerMetrics } from "./metrics";
import type { ActiveCandleRegistry } from "./registry";
import type { SchedulerClock } from "./scheduler";

export interface CatchUpOptions {
  db: Db;
  registry: ActiveCandleRegistry;
  enqueue(jobs: CandleJob[]): Promise<void>;
  clock: SchedulerClock & { readonly scale: number };
  /** Simulated ms before which nothing counts as missed (at TIME_SCALE > 1: when the deployment's clock started). */
  notBefore: number;
  /** Grace in simulated ms before an unexecuted older close counts as missed. */
  missedAfterMs: number;
  workerId: string;
  logger: Logger;
  metrics: WorkerMetrics;
  realNow?: () => number;
}

export interface CatchUpResult {
  /** The simulated time the sweep looked at: closes after it are the boundary timer's. */
  at: number;
  keys: number;
  enqueued: number;
  missed: number;
}

export function createCatchUp(options: CatchUpOptions) {
  const { db, clock, logger, metrics } = options;
  const realNow = options.realNow ?? Date.now;

  /** A subscription's `updated_at` is real time; the scheduler thinks in simulated time. */
  const toSimulated = (realMs: number) => clock.now() - (realNow() - realMs) * clock.scale;

  return async function sweep(): Promise<CatchUpResult> {
    const now = clock.now();
    const reach = catchUpReach(options.missedAfterMs, clock.scale);
    const candles = await options.registry.read();
    const windows: CloseWindow[] = [];
    const latestJobs: CandleJob[] = [];
    for (const c of candles) {
      const since = Math.max(toSimulated(c.since), options.notBefore);
      const window = catchUpWindow(now, c.resolution, since, reach);
      windows.push({
        strategyId: c.strategyId,
        symbol: c.symbol,
        resolution: c.resolution,
        from: window.from,
        to: window.latest,
      });
      if (window.latest >= window.from) {
        latestJobs.push({
          strategyId: c.strategyId,
          symbol: c.symbol,
          resolution: c.resolution,
          closeTime: window.latest,
        });
      }
    }
    if (latestJobs.length > 0) await options.enqueue(latestJobs);

    const executed = await listExecutedCloses(db, windows);
    const missed = candles.flatMap((c, i) => {
      const w = windows[i];
      return missedCloses(
        { from: w.from, latest: w.to },
        c.resolution,
        executed.get(i) ?? [],
        now,
        options.missedAfterMs,
      ).map((closeTime) => ({
        strategyId: c.strategyId,
        symbol: c.symbol,
        resolution: c.resolution,
        closeTime,
      }));
    });
    let recorded = 0;
    for (let i = 0; i < missed.length; i += 1000) {
      recorded += await recordMissedCloses(db, missed.slice(i, i + 1000), {
        now: realNow(),
        workerId: options.workerId,
        detail: "No worker executed this close in time; catch-up executes only the latest close of a market.",
      });
    }
    if (recorded > 0) {
      metrics.missed.inc({}, recorded);
      logger.warn({ missed: recorded }, "catch-up: recorded missed closes as SKIPPED");
    }
    return { at: now, keys: candles.length, enqueued: latestJobs.length, missed: recorded };
  };
}
