// The worker's sandboxed runners: candle runs, and slots of their own for validations and for backtests.
import { QUEUES } from "../db/contracts/queues-and-channels";
import type { Logger } from "../db/platform/logger.server";
import { AUTHOR_JOB_LOOPS } from "./jobs";
import type { WorkerMetrics } from "./metrics";
import { createStrategyRunner, type SandboxEvent, type Share, type StrategyRunner } from "./runtime";

/** Sandbox users of the author jobs' slots, per kind; candle runs use 200000 + their slot number (ADR 020). */
const VALIDATION_SANDBOX_UID = 201_000;
const BACKTEST_SANDBOX_UID = 201_100;
/** A candle run that waited this long for a sandbox slot is logged with its author (ADR 175). */
const DELAYED_RUN_MS = 1_000;

export interface AuthorJobRunners {
  validate: StrategyRunner;
  backtest: StrategyRunner;
}

export interface WorkerRunners {
  candles: StrategyRunner;
  /** Null when this worker takes no author jobs. */
  authorJobs: AuthorJobRunners | null;
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
  const noteWait = (share: Share, waitMs: number) => {
    metrics.runWaitSeconds.observe(waitMs / 1000);
    if (waitMs >= DELAYED_RUN_MS)
      logger.info(
        { authorId: share.author, strategyId: share.strategy, waitMs: Math.round(waitMs) },
        "a strategy run waited for a sandbox slot",
      );
  };
  const candles = createStrategyRunner({ ...common, maxConcurrent: opts.runConcurrency, onWait: noteWait });
  // Author jobs get sandbox slots of their own, one per work loop of their kind (ADR 177): they never hold
  // one a candle execution needs at a boundary, and a backtest never holds a validation's. Own users too.
  const authorJobs = opts.authorJobs
    ? {
        validate: createStrategyRunner({
          ...common,
          maxConcurrent: AUTHOR_JOB_LOOPS[QUEUES.validateStrategy],
          sandboxUidBase: VALIDATION_SANDBOX_UID,
        }),
        backtest: createStrategyRunner({
          ...common,
          maxConcurrent: AUTHOR_JOB_LOOPS[QUEUES.runBacktest],
          sandboxUidBase: BACKTEST_SANDBOX_UID,
        }),
      }
    : null;
  if (opts.selfCheck) {
    await candles.selfCheck();
    await authorJobs?.validate.selfCheck();
    await authorJobs?.backtest.selfCheck();
  }
  return {
    candles,
    authorJobs,
    async close() {
      await Promise.all([candles.close(), authorJobs?.validate.close(), authorJobs?.backtest.close()]);
    },
  };
}
