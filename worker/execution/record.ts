// Record: the execution's whole result in ONE transaction (the store fences a late one), in its three shapes.
import { newId } from "../../db/platform/ids";
import {
  failExecution,
  recordExecution,
  type RecordExecutionResult,
} from "../../db/store/queries/executions";
import type { FanOutPlan } from "../fan-out";
import type { ClaimedCandle, CoordinatorDeps } from "./types";
import type { Followers, RunFailure, VersionRuns } from "./versions";

const MAX_LOG_CHARS = 16_000;

const boundedLog = (lines: string[]) => {
  const text = lines.filter(Boolean).join("\n");
  return text.length <= MAX_LOG_CHARS ? text : `${text.slice(0, MAX_LOG_CHARS)}\n… (truncated)`;
};

type Followed = Extract<Followers, { followed: true }>;
type Ran = Extract<VersionRuns, { ok: true }>;

export function createExecutionRecorder(deps: Pick<CoordinatorDeps, "db" | "workerId" | "marketData">) {
  const { db } = deps;
  const row = (c: ClaimedCandle) => ({
    id: c.executionId,
    ...c.job,
    marketSource: deps.marketData.source,
    workerId: deps.workerId,
    startedAt: c.startedAt,
  });

  return {
    /** Nobody to execute for: SKIPPED with the reason, no run. */
    skipped(
      c: ClaimedCandle,
      nobody: Extract<Followers, { followed: false }>,
    ): Promise<RecordExecutionResult> {
      return recordExecution(db, {
        execution: {
          ...row(c),
          versionId: nobody.versionId,
          status: "SKIPPED",
          reason: nobody.reason,
          subscriberCount: 0,
          finishedAt: Date.now(),
        },
      });
    },

    /**
     * No version answered: FAILED (SKIPPED when no run started, ADR 176), and every subscriber's skipped
     * row and event in the same transaction.
     */
    failed(
      c: ClaimedCandle,
      followers: Followed,
      failure: RunFailure,
      plan: Pick<FanOutPlan, "trades" | "events">,
      finishedAt: number,
      status: "FAILED" | "SKIPPED",
    ): Promise<RecordExecutionResult> {
      return recordExecution(db, {
        execution: {
          ...row(c),
          versionId: followers.groups[0].version.versionId,
          status,
          reason: status === "SKIPPED" ? failure.errorKind : null,
          subscriberCount: followers.subscriptions.length,
          errorKind: failure.errorKind,
          errorMessage: failure.errorMessage,
          log: boundedLog(failure.logs),
          finishedAt,
          // A SKIPPED run never started: its time is the wait, not a run.
          runMs: status === "SKIPPED" ? null : (failure.runMs ?? null),
        },
        trades: plan.trades,
        events: plan.events,
      });
    },

    completed(
      c: ClaimedCandle,
      followers: Followed,
      ran: Ran,
      plan: FanOutPlan,
      times: { finishedAt: number; fanoutStarted: number },
    ): Promise<RecordExecutionResult> {
      const { groups } = followers;
      const primary = ran.runs[0];
      const signal = primary.ok ? primary.signal : null;
      const logs = ran.runs.flatMap((r, i) => {
        const lines = r.ok ? r.logs : r.error.logs;
        return groups.length === 1 ? lines : [`[version ${groups[i].version.version}]`, ...lines];
      });
      return recordExecution(db, {
        execution: {
          ...row(c),
          versionId: groups[0].version.versionId,
          status: "COMPLETED",
          signal: signal?.action ?? null,
          confidence: signal?.confidence ?? null,
          price: ran.candles[ran.candles.length - 1].close,
          stopLossHint: signal?.stopLoss ?? null,
          takeProfitHint: signal?.takeProfit ?? null,
          reason: signal?.reason || null,
          subscriberCount: followers.subscriptions.length,
          errorKind: primary.ok ? null : primary.error.kind,
          errorMessage: primary.ok ? null : primary.error.message,
          log: boundedLog(logs),
          finishedAt: times.finishedAt,
          runMs: ran.runMs,
          fanoutMs: performance.now() - times.fanoutStarted,
        },
        trades: plan.trades,
        closes: plan.closes,
        events: plan.events,
        orders: plan.orders.map((o) => ({ ...o, id: newId() })),
      });
    },

    /** The worker failed (a bug, the store went away): finish the row now rather than leave it to the janitor. */
    async failedInternally(c: ClaimedCandle, error: unknown): Promise<void> {
      await failExecution(db, c.executionId, {
        errorKind: "internal",
        errorMessage: `The worker failed while executing this candle: ${error instanceof Error ? error.message : String(error)}`,
        finishedAt: Date.now(),
      }).catch((failError: unknown) =>
        c.log.error({ err: failError }, "could not mark the execution FAILED; the janitor will"),
      );
    },
  };
}

export type ExecutionRecorder = ReturnType<typeof createExecutionRecorder>;
