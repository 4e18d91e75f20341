// Registers the author jobs (validate, backtest) on pg-boss, and builds the sender the web app enqueues them with.
import type PgBoss from "pg-boss";
import type { Bus } from "../../db/infra/bus";
import {
  AUTHOR_JOBS_CHANNEL,
  JOB_NAMES,
  JOB_PAYLOAD_SCHEMAS,
  type JobName,
  type JobSender,
} from "../../db/contracts/jobs";
import { ensureQueues } from "../queue";
import { runBacktest, type BacktestDeps } from "./run-backtest";
import { validateStrategy, type ValidateDeps } from "./validate-strategy";

export interface AuthorJobDeps extends ValidateDeps, BacktestDeps {
  /** Validations running at once in this worker (each is one short sandboxed run). Default 2. */
  validateConcurrency?: number;
  /** Backtests running at once in this worker. Default 1, so live candles keep their sandbox slots. */
  backtestConcurrency?: number;
}

/** Queue settings: a validation is interactive (no retry: the author asks again); a backtest is retried once. */
const QUEUE_OPTIONS: Record<JobName, Omit<PgBoss.Queue, "name">> = {
  [JOB_NAMES.validateStrategy]: {
    policy: "standard",
    retryLimit: 0,
    expireInSeconds: 60,
    retentionMinutes: 60,
  },
  [JOB_NAMES.runBacktest]: { policy: "standard", retryLimit: 1, retryDelay: 5, expireInSeconds: 30 * 60 },
};

/** Creates both queues (idempotent); the web app's send-only pg-boss calls it too. */
export async function createAuthorQueues(boss: PgBoss): Promise<void> {
  await ensureQueues(
    boss,
    Object.values(JOB_NAMES).map((name) => ({ name, ...QUEUE_OPTIONS[name] })),
  );
}

export interface RegisteredAuthorJobs {
  workerIds: string[];
  stop(): Promise<void>;
}

export async function registerAuthorJobs(boss: PgBoss, deps: AuthorJobDeps): Promise<RegisteredAuthorJobs> {
  await createAuthorQueues(boss);
  const workerIds: Record<JobName, string[]> = {
    [JOB_NAMES.validateStrategy]: [],
    [JOB_NAMES.runBacktest]: [],
  };
  const options = { batchSize: 1, pollingIntervalSeconds: 0.5 };
  for (let i = 0; i < (deps.validateConcurrency ?? 2); i++) {
    workerIds[JOB_NAMES.validateStrategy].push(
      await boss.work(JOB_NAMES.validateStrategy, options, async ([job]) => {
        await validateStrategy(deps, job.data);
      }),
    );
  }
  for (let i = 0; i < (deps.backtestConcurrency ?? 1); i++) {
    workerIds[JOB_NAMES.runBacktest].push(
      await boss.work(JOB_NAMES.runBacktest, options, async ([job]) => {
        await runBacktest(deps, job.data);
      }),
    );
  }
  // Wake a local worker at once when any process queues an author job (work() would otherwise poll).
  const unsubscribe = await deps.bus.subscribe(AUTHOR_JOBS_CHANNEL, (message) => {
    const name = (message as { name?: unknown } | null)?.name;
    for (const id of workerIds[name as JobName] ?? []) boss.notifyWorker(id);
  });
  return {
    workerIds: Object.values(workerIds).flat(),
    async stop() {
      await unsubscribe();
      for (const name of Object.values(JOB_NAMES)) await boss.offWork(name);
    },
  };
}

/** Validates the payload against the queue's schema before it reaches the queue, then wakes a worker. */
export function createJobSender(boss: PgBoss, bus: Bus): JobSender {
  let queuesReady: Promise<void> | undefined;
  return {
    async send(name, payload) {
      const data = JOB_PAYLOAD_SCHEMAS[name].parse(payload);
      queuesReady ??= createAuthorQueues(boss).catch((error) => {
        queuesReady = undefined;
        throw error;
      });
      await queuesReady;
      const id = await boss.send(name, data as object);
      await bus.publish(AUTHOR_JOBS_CHANNEL, { name }).catch(() => {
        // Only a wake-up: the worker's poll finds the job within half a second anyway.
      });
      return id;
    },
  };
}
