// Registers the author jobs (validate, backtest) on pg-boss, and builds the sender the web app enqueues them with.
import type PgBoss from "pg-boss";
import type { Bus } from "../../db/infra/bus";
import { JOB_PAYLOAD_SCHEMAS, type JobSender, type RunBacktestJob } from "../../db/contracts/jobs";
import { listQueuedBacktestIds } from "../../db/store/queries/backtests";
import { AUTHOR_QUEUES, QUEUES } from "../../db/contracts/queues-and-channels";
import { ensureQueues } from "../queue";
import { announceJobs, createWorkLoops } from "../work-loops";
import { runBacktest, type BacktestDeps } from "./run-backtest";
import { validateStrategy, type ValidateDeps } from "./validate-strategy";

export interface AuthorJobDeps extends ValidateDeps, BacktestDeps {
  /** Validations running at once in this worker (each is one short sandboxed run). Default 2. */
  validateConcurrency?: number;
  /** Backtests running at once in this worker. Default 1, so live candles keep their sandbox slots. */
  backtestConcurrency?: number;
}

type Warn = { warn(obj: object, msg: string): void };

export interface RegisteredAuthorJobs {
  stop(): Promise<void>;
}

export async function registerAuthorJobs(boss: PgBoss, deps: AuthorJobDeps): Promise<RegisteredAuthorJobs> {
  await ensureQueues(boss, AUTHOR_QUEUES);
  const loops = await createWorkLoops(boss, deps.bus, deps.logger ?? console);
  // Each job parses its own payload and records its own failure.
  await loops.start(QUEUES.validateStrategy, deps.validateConcurrency ?? 2, 0.5, async (job) => {
    await validateStrategy(deps, job.data);
  });
  await loops.start(QUEUES.runBacktest, deps.backtestConcurrency ?? 1, 0.5, async (job) => {
    await runBacktest(deps, job.data);
  });
  // Backtests queued without a job (seeded by `db:seed` or the first start, or a lost send) get one now.
  for (const backtestId of await listQueuedBacktestIds(deps.store.db))
    await boss.send(QUEUES.runBacktest, { backtestId }, backtestJobOptions(backtestId));
  return { stop: () => loops.stop() };
}

/** A backtest's job id is the backtest's id: sending it again while the job exists adds nothing. */
const backtestJobOptions = (backtestId: string) => ({ id: backtestId });

/** Validates the payload against the queue's schema before it reaches the queue, then wakes a worker. */
export function createJobSender(boss: PgBoss, bus: Bus, logger: Warn): JobSender {
  let queuesReady: Promise<void> | undefined;
  return {
    async send(name, payload) {
      const data = JOB_PAYLOAD_SCHEMAS[name].parse(payload);
      queuesReady ??= ensureQueues(boss, AUTHOR_QUEUES).catch((error) => {
        queuesReady = undefined;
        throw error;
      });
      await queuesReady;
      const options =
        name === QUEUES.runBacktest ? backtestJobOptions((data as RunBacktestJob).backtestId) : {};
      const id = await boss.send(name, data as object, options);
      await announceJobs(bus, name, logger);
      return id;
    },
  };
}
