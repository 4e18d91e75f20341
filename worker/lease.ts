// Keeps a claimed execution's lease alive while its worker works on it (ADR 150).
import type { Db } from "../db/store/client";
import type { Logger } from "../db/platform/logger.server";
import { renewLease } from "../db/store/queries/leases";

/**
 * Renews the lease every third of it. Once a renewal is refused the lease is gone for good (lapsed, or
 * another worker took the candle over): the work may finish, but its commit will be refused.
 */
export function keepLease(opts: { db: Db; executionId: string; leaseMs: number; log: Logger }) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const renew = async () => {
    try {
      if (await renewLease(opts.db, opts.executionId, opts.leaseMs)) return schedule();
      opts.log.warn("the claim's lease lapsed or was taken over; this execution's commit will be refused");
    } catch (error) {
      // The store is unreachable: try again; if the lease lapses meanwhile, the next renewal says so.
      opts.log.warn({ err: error }, "could not renew the claim's lease");
      schedule();
    }
  };
  function schedule() {
    if (stopped) return;
    timer = setTimeout(
      () => {
        inFlight = renew();
      },
      Math.max(1, Math.floor(opts.leaseMs / 3)),
    );
  }
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
