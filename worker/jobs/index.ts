// Registers the author jobs (validate, backtest) on pg-boss, and builds the sender the web app enqueues them with.
import type PgBoss from "pg-boss";
import { authorJobLeaseKey } from "../../db/contracts/cache-keys";
import type { Bus } from "../../db/infra/bus";
import type { Lock } from "../../db/infra/lock";
import { withLock } from "../../db/infra/with-lock";
import {
  AUTHOR_JOBS_CHANNEL,
  JOB_NAMES,
  JOB_PAYLOAD_SCHEMAS,
  runBacktestJobSchema,
  validateStrategyJobSchema,
  type JobName,
  type JobSender,
} from "../../db/contracts/jobs";
import { backtestRequester } from "../../db/store/queries/backtests";
import type { StrategyRunner } from "../runtime";
import { ensureQueues } from "../queue";
import { runBacktest, type BacktestDeps } from "./run-backtest";
import { validateStrategy, type ValidateDeps } from "./validate-strategy";

/**
 * Work loops per kind in one worker. A job runs its sandbox runs one after another, so a runner with
 * this many slots never makes a job of that kind wait for one.
 */
export const AUTHOR_JOB_LOOPS: Record<JobName, number> = {
  [JOB_NAMES.validateStrategy]: 2,
  [JOB_NAMES.runBacktest]: 1,
};

export interface AuthorJobDeps extends ValidateDeps, BacktestDeps {
  /** Backtests run here when given (slots of their own, so a backtest never holds a validation's); else on runner. */
  backtestRunner?: StrategyRunner;
  /** Holds the per-(user, kind) lease: one user's jobs of a kind run one at a time across the deployment. */
  lock: Lock;
}

/** The lease lives this long past a crashed worker (withLock extends it while the job runs). */
const LEASE_TTL_MS = 30_000;
/** A job whose user already runs one of its kind goes back to the queue for this long (ADR 177). */
export const LEASE_WAIT_SECONDS: Record<JobName, number> = {
  [JOB_NAMES.validateStrategy]: 1,
  [JOB_NAMES.runBacktest]: 3,
};

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
  const backtestDeps = { ...deps, runner: deps.backtestRunner ?? deps.runner };
  const kinds: Record<
    JobName,
    { ownerOf(data: unknown): Promise<string | null>; run(data: unknown): Promise<unknown> }
  > = {
    [JOB_NAMES.validateStrategy]: {
      ownerOf: async (data) => validateStrategyJobSchema.parse(data).userId,
      run: (data) => validateStrategy(deps, data),
    },
    [JOB_NAMES.runBacktest]: {
      ownerOf: (data) => backtestRequester(deps.store.db, runBacktestJobSchema.parse(data).backtestId),
      run: (data) => runBacktest(backtestDeps, data),
    },
  };
  /** One job of a user's kind at a time: a job whose user already runs one goes back to the queue, not failed. */
  async function leased(name: JobName, data: unknown) {
    const owner = await kinds[name].ownerOf(data);
    if (owner === null) return kinds[name].run(data);
    const held = await withLock(deps.lock, authorJobLeaseKey(name, owner), LEASE_TTL_MS, () =>
      kinds[name].run(data),
    );
    if (!held.acquired) await boss.send(name, data as object, { startAfter: LEASE_WAIT_SECONDS[name] });
  }
  const options = { batchSize: 1, pollingIntervalSeconds: 0.5 };
  for (const name of Object.values(JOB_NAMES)) {
    for (let i = 0; i < AUTHOR_JOB_LOOPS[name]; i++) {
      workerIds[name].push(
        await boss.work(name, options, async ([job]) => {
          await leased(name, job.data);
        }),
      );
    }
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
