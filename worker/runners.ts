// The worker's two sandboxed runners: candle runs, and a slot of its own for author jobs (validations, backtests).
import type { Logger } from "../db/platform/logger.server";
import type { WorkerMetrics } from "./metrics";
import { createStrategyRunner, type SandboxEvent, type StrategyRunner } from "./runtime";

/** The sandbox user of the author jobs' slot; candle runs use 200000 + their slot number (ADR 020). */
const AUTHOR_SANDBOX_UID = 201_000;

export interface WorkerRunners {
  candles: StrategyRunner;
  /** Null when this worker takes no author jobs. */
  authorJobs: StrategyRunner | null;
  close(): Promise<void>;
}

export async function createWorkerRunners(opts: {
  python: string;
  sandbox: "bwrap" | "none";
  /** Sandboxed candle runs at once. Default: the number of CPUs. */
  runConcurrency?: number;
  authorJobs: boolean;
  /** Fail closed at start: a sandbox that cannot run would fail every execution. */
  selfCheck: boolean;
  logger: Logger;
  metrics: WorkerMetrics;
}): Promise<WorkerRunners> {
  const { metrics, logger } = opts;
  const common = {
    python: opts.python,
    sandbox: opts.sandbox,
    logger: { warn: (msg: string) => logger.warn(msg) },
    onSandbox: (event: SandboxEvent) =>
      event.type === "started"
        ? metrics.sandboxesStarted.inc({ kind: event.preload })
        : metrics.sandboxesReplaced.inc({ kind: event.preload, reason: event.reason }),
  };
  const candles = createStrategyRunner({ ...common, maxConcurrent: opts.runConcurrency });
  // Author jobs (backtests may run for minutes) never hold a sandbox slot that a candle execution needs
  // at a boundary; their own sandbox user too, past the candle slots'.
  const authorJobs = opts.authorJobs
    ? createStrategyRunner({ ...common, maxConcurrent: 1, sandboxUidBase: AUTHOR_SANDBOX_UID })
    : null;
  if (opts.selfCheck) {
    await candles.selfCheck();
    await authorJobs?.selfCheck();
  }
  return {
    candles,
    authorJobs,
    async close() {
      await Promise.all([candles.close(), authorJobs?.close()]);
    },
  };
}
