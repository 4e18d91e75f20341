// Metrics and logs of candle executions: the steps say what happened, this says it to Prometheus and the log.
import type { Logger } from "../../db/platform/logger.server";
import type { WithLockOutcome } from "../../db/infra/with-lock";
import type { CandleJob } from "../candle-jobs";
import type { WorkerMetrics } from "../metrics";
import type { CandleOutcome, ClaimedCandle } from "./types";

export interface CompletedFacts {
  signal: string | null;
  subscribers: number;
  opened: number;
  closed: number;
  closeReasons: string[];
  runMs: number;
  /** performance.now() when the plan started: fan-out time runs from there to the published events. */
  fanoutStarted: number;
}

export function createExecutionReport(metrics: WorkerMetrics, logger: Logger) {
  return {
    /** Starts the end-to-end timer of one candle job. */
    start(job: CandleJob) {
      const finishTimer = metrics.executionSeconds.startTimer();
      return (locked: WithLockOutcome<CandleOutcome>, outcome: CandleOutcome) => {
        if (!locked.acquired) metrics.lockContention.inc();
        else if (locked.lost) {
          metrics.lockLost.inc();
          logger.warn(
            { job, outcome: outcome.status },
            "the execution lock lapsed while running; the store's unique keys fenced the result",
          );
        }
        if (outcome.status === "executed" || outcome.status === "failed") finishTimer();
        metrics.candleJobs.inc({ outcome: outcome.status });
      };
    },
    missed() {
      metrics.missed.inc();
      metrics.executions.inc({ status: "SKIPPED" });
    },
    skipped() {
      metrics.executions.inc({ status: "SKIPPED" });
    },
    /** No run started: the author's time at this close was spent (ADR 176). */
    overBudget(c: ClaimedCandle, message: string) {
      metrics.executions.inc({ status: "SKIPPED" });
      c.log.info({ reason: "author_time_budget", message }, "execution skipped: the author's time is spent");
    },
    ran(runMs: number) {
      metrics.runSeconds.observe(runMs / 1000);
    },
    completed(c: ClaimedCandle, facts: CompletedFacts) {
      metrics.fanoutSeconds.observe((performance.now() - facts.fanoutStarted) / 1000);
      metrics.executions.inc({ status: "COMPLETED" });
      metrics.tradesOpened.inc({}, facts.opened);
      for (const reason of facts.closeReasons) metrics.tradesClosed.inc({ reason });
      c.log.info(
        {
          signal: facts.signal ?? undefined,
          subscribers: facts.subscribers,
          opened: facts.opened,
          closed: facts.closed,
          runMs: Math.round(facts.runMs),
        },
        "execution completed",
      );
    },
    failed(c: ClaimedCandle, errorKind: string, errorMessage: string) {
      metrics.executions.inc({ status: "FAILED" });
      c.log.warn({ errorKind, errorMessage }, "execution failed");
    },
    /** The worker itself failed (a bug, the store went away), not the strategy. */
    failedInternally(c: ClaimedCandle, error: unknown) {
      metrics.executions.inc({ status: "FAILED" });
      c.log.error({ err: error }, "execution failed unexpectedly");
    },
    fenced(c: ClaimedCandle, existingStatus: string | null) {
      metrics.fenced.inc();
      c.log.warn({ existingStatus }, "result fenced: this candle was finished elsewhere meanwhile");
    },
  };
}

export type ExecutionReport = ReturnType<typeof createExecutionReport>;
