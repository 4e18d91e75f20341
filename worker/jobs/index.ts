// Registers the author jobs (validate, backtest) on pg-boss, and builds the sender the web app enqueues them with.
import type PgBoss from "pg-boss";
import { authorJobLeaseKey } from "../../db/contracts/cache-keys";
import type { Bus } from "../../db/infra/bus";
import type { Lock } from "../../db/infra/lock";
import { withLock } from "../../db/infra/with-lock";
import { waitForDependency, type WaitLogger } from "../../db/platform/wait-for-dependency";
import {
  JOB_PAYLOAD_SCHEMAS,
  runBacktestJobSchema,
  validateStrategyJobSchema,
  type CloseAllJob,
  type JobSender,
  type RunBacktestJob,
} from "../../db/contracts/jobs";
import {
  AUTHOR_QUEUES,
  QUEUES,
  WEB_SENT_QUEUES,
  type AuthorQueueName,
  type WebSentQueueName,
} from "../../db/contracts/queues-and-channels";
import { backtestRequester, listQueuedBacktestIds } from "../../db/store/queries/backtests";
import type { StrategyRunner } from "../runtime";
import { ensureQueues } from "../queue";
import { announceJobs, createWorkLoops } from "../work-loops";
import { runBacktest, type BacktestDeps } from "./run-backtest";
import { validateStrategy, type ValidateDeps } from "./validate-strategy";

/**
 * Work loops per kind in one worker. A job runs its sandbox runs one after another, so a runner with
 * this many slots never makes a job of that kind wait for one.
 */
export const AUTHOR_JOB_LOOPS: Record<AuthorQueueName, number> = {
  [QUEUES.validateStrategy]: 2,
  [QUEUES.runBacktest]: 1,
};

export interface AuthorJobDeps extends ValidateDeps, BacktestDeps {
  /** Backtests run here when given (slots of their own, so a backtest never holds a validation's); else on runner. */
  backtestRunner?: StrategyRunner;
  /** Holds the per-(user, kind) lease: one user's jobs of a kind run one at a time across the deployment. */
  lock: Lock;
  logger?: BacktestDeps["logger"] & WaitLogger;
}

/** The lease lives this long past a crashed worker (withLock extends it while the job runs). */
const LEASE_TTL_MS = 30_000;
/** A job whose user already runs one of its kind goes back to the queue for this long (ADR 177). */
const LEASE_WAIT_SECONDS: Record<AuthorQueueName, number> = {
  [QUEUES.validateStrategy]: 1,
  [QUEUES.runBacktest]: 3,
};

type Warn = { warn(obj: object, msg: string): void };

export interface RegisteredAuthorJobs {
  stop(): Promise<void>;
}

export async function registerAuthorJobs(boss: PgBoss, deps: AuthorJobDeps): Promise<RegisteredAuthorJobs> {
  await ensureQueues(boss, AUTHOR_QUEUES);
  const loops = await createWorkLoops(boss, deps.bus, deps.logger ?? console);
  const backtestDeps = { ...deps, runner: deps.backtestRunner ?? deps.runner };
  // Each job parses its own payload and records its own failure.
  const kinds: Record<
    AuthorQueueName,
    { ownerOf(data: unknown): Promise<string | null>; run(data: unknown): Promise<unknown> }
  > = {
    [QUEUES.validateStrategy]: {
      ownerOf: async (data) => validateStrategyJobSchema.parse(data).userId,
      run: (data) => validateStrategy(deps, data),
    },
    [QUEUES.runBacktest]: {
      ownerOf: (data) => backtestRequester(deps.store.db, runBacktestJobSchema.parse(data).backtestId),
      run: (data) => runBacktest(backtestDeps, data),
    },
  };
  /** One job of a user's kind at a time: a job whose user already runs one goes back to the queue, not failed. */
  async function leased(name: AuthorQueueName, data: unknown) {
    const owner = await kinds[name].ownerOf(data);
    if (owner === null) return kinds[name].run(data);
    const held = await withLock(deps.lock, authorJobLeaseKey(name, owner), LEASE_TTL_MS, () =>
      kinds[name].run(data),
    );
    if (!held.acquired) await boss.send(name, data as object, { startAfter: LEASE_WAIT_SECONDS[name] });
  }
  for (const name of AUTHOR_QUEUES) {
    await loops.start(name, AUTHOR_JOB_LOOPS[name], 0.5, async (job) => {
      await leased(name, job.data);
    });
  }
  // Backtests queued without a job (seeded by `db:seed` or the first start, or a lost send) get one now. The store
  // may go away between the dependency wait and here (sqld restarted): wait for it again rather than exit.
  const queued = await waitForDependency(
    "the store (DATABASE_URL), to re-queue waiting backtests",
    () => listQueuedBacktestIds(deps.store.db),
    { logger: deps.logger ?? console },
  );
  for (const backtestId of queued)
    await boss.send(QUEUES.runBacktest, { backtestId }, backtestJobOptions(backtestId));
  return { stop: () => loops.stop() };
}

/** A backtest's job id is the backtest's id: sending it again while the job exists adds nothing. */
const backtestJobOptions = (backtestId: string) => ({ id: backtestId });

/** A job id of its own where sending the same thing twice must queue it once. */
const JOB_IDS: Partial<Record<WebSentQueueName, (data: unknown) => { id: string }>> = {
  [QUEUES.runBacktest]: (data) => backtestJobOptions((data as RunBacktestJob).backtestId),
  [QUEUES.positionsCloseAll]: (data) => ({ id: (data as CloseAllJob).requestId }),
};

/** Validates the payload against the queue's schema before it reaches the queue, then wakes a worker. */
export function createJobSender(boss: PgBoss, bus: Bus, logger: Warn): JobSender {
  let queuesReady: Promise<void> | undefined;
  return {
    async send(name, payload) {
      const data = JOB_PAYLOAD_SCHEMAS[name].parse(payload);
      queuesReady ??= ensureQueues(boss, WEB_SENT_QUEUES).catch((error) => {
        queuesReady = undefined;
        throw error;
      });
      await queuesReady;
      const id = await boss.send(name, data as object, JOB_IDS[name]?.(data) ?? {});
      await announceJobs(bus, name, logger);
      return id;
    },
  };
}
