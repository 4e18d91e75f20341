// Takes over candles whose claim's lease lapsed (their worker died or is paused), in every worker (ADR 150).
import type { Db } from "../db/store/client";
import type { Logger } from "../db/platform/logger.server";
import { listLapsedLeases } from "../db/store/queries/leases";
import { candleJobSchema, type CandleJob } from "./candle-jobs";

/**
 * Every `everyMs` looks for RUNNING rows whose lease lapsed and executes each candle again through the
 * coordinator (lock, take-over, run, or SKIPPED "missed" if stale by now). Their pg-boss job may be
 * long completed or still expiring, so the store, not the queue, says what is left.
 */
export function startTakeovers(opts: {
  db: Db;
  execute(job: CandleJob): Promise<unknown>;
  everyMs: number;
  logger: Logger;
  batch?: number;
}) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = async () => {
    try {
      for (const key of await listLapsedLeases(opts.db, opts.batch ?? 20)) {
        if (stopped) return;
        const job = candleJobSchema.safeParse(key);
        if (job.success) await opts.execute(job.data);
      }
    } catch (error) {
      opts.logger.warn({ err: error }, "take-over pass failed; the next one retries");
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run().then(schedule);
    }, opts.everyMs);
  };
  schedule();
  return {
    /** No new pass; a take-over under way is one of the worker's running executions (stop() waits for those). */
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
