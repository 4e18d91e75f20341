// What the coordinator is given, what it answers, and what every step of one candle works with.
import type { AUTHOR_TIME_BUDGET } from "../../db/contracts/domain";
import type { Db } from "../../db/store/client";
import type { Bus } from "../../db/infra/bus";
import type { Cache } from "../../db/infra/cache";
import type { Lock } from "../../db/infra/lock";
import type { Logger } from "../../db/platform/logger.server";
import type { PaperConfig } from "../brokers/paper";
import type { CandleJob } from "../candle-jobs";
import type { ExchangeAccess } from "../exchange-access";
import type { MarketData } from "../market-data/market-data";
import type { WorkerMetrics } from "../metrics";
import type { StrategyRunner } from "../runtime";

/** Where a candle's execution is; tests pause or kill a worker at these points. */
export type CoordinatorStep = "locked" | "claimed" | "ran" | "planned" | "recorded" | "published";

export type CandleOutcome =
  | { status: "executed"; executionId: string; signal: string | null; opened: number; closed: number }
  | { status: "failed"; executionId: string; errorKind: string }
  | {
      status: "skipped";
      reason: "missed" | "no_active_subscriptions" | "strategy_not_found" | typeof AUTHOR_TIME_BUDGET;
    }
  | { status: "locked" }
  | { status: "lock_lost" }
  | { status: "already_done"; existingStatus: string }
  | { status: "in_progress" }
  | { status: "claimed_elsewhere" }
  | { status: "fenced"; executionId: string };

export interface CoordinatorDeps {
  db: Db;
  cache: Cache;
  lock: Lock;
  bus: Bus;
  marketData: MarketData;
  runner: Pick<StrategyRunner, "runLive">;
  /** Simulated time: decides whether a close is stale. */
  clock: { now(): number };
  workerId: string;
  logger: Logger;
  metrics: WorkerMetrics;
  exchange: ExchangeAccess;
  paper?: PaperConfig;
  /** Lock TTL; extended every third of it while the execution runs. */
  lockTtlMs?: number;
  /** Simulated ms after which an older close is no longer executed but recorded missed. */
  missedAfterMs: number;
  /** Sandbox ms each author's live runs get per close across the deployment (ADR 176); 0 or unset: no limit. */
  authorTimePerCloseMs?: number;
  onStep?: (step: CoordinatorStep, job: CandleJob) => void | Promise<void>;
}

/** A candle this worker holds the RUNNING row of: from here on the row is the fence. */
export interface ClaimedCandle {
  job: CandleJob;
  executionId: string;
  startedAt: number;
  /** The logger bound to this execution. */
  log: Logger;
}
