// A worker in a child process for the multi-process tests: a real worker against the shared file, Postgres schema and Redis prefix.
// Speaks JSON lines: reads commands on stdin ({"cmd":"enqueue","jobs":[...]}, {"cmd":"metrics"}, {"cmd":"stop"}),
// writes what happens on stdout ({"type":"ready"}, {"type":"step",...}, {"type":"pausing"}, {"type":"metrics",...}).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pino from "pino";
import { openStore } from "../../../db/store/client";
import { createInfra } from "../../../db/infra/index.server";
import { candleJobSchema } from "../../../worker/candle-jobs";
import type { CoordinatorStep } from "../../../worker/coordinator";
import { startWorker, type WorkerOptions } from "../../../worker/main";
import { createQueue } from "../../../worker/queue";
import type { Config } from "../../../db/platform/config.server";
import { testWorkerConfig } from "./config";

export interface WorkerProcessSpec {
  workerId: string;
  databaseUrl: string;
  postgresUrl: string;
  schema: string;
  redisUrl: string;
  keyPrefix: string;
  options?: Partial<WorkerOptions>;
  /** SIGSTOP this process the first time an execution reaches this step (the parent sends SIGCONT). */
  pauseAt?: CoordinatorStep;
  /** Report every step on stdout. */
  reportSteps?: boolean;
  /** MARKET_DATA as the worker's config reads it; default the simulated market. */
  marketData?: Config["marketData"];
  /** EXCHANGE_URL as the worker's config reads it: exchange accounts trade there. */
  exchangeUrl?: string;
  timeScale?: number;
}

const spec = JSON.parse(process.argv[2]) as WorkerProcessSpec;
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
const logger = pino(
  { level: process.env.WORKER_LOG_LEVEL ?? "warn", base: { worker: spec.workerId } },
  pino.destination(2),
);

const store = await openStore({ url: spec.databaseUrl });
const infra = await createInfra({ redisUrl: spec.redisUrl, keyPrefix: spec.keyPrefix, logger });
const queue = await createQueue({
  postgresUrl: spec.postgresUrl,
  schema: spec.schema,
  dataDir: mkdtempSync(join(tmpdir(), "candlecast-worker-")),
  // Expired jobs (a killed or paused worker's) come back within seconds, not minutes.
  bossOptions: { maintenanceIntervalSeconds: 1, schedule: false },
  onError: (error) => logger.warn({ err: error }, "queue error"),
});
let paused = false;
const worker = await startWorker({
  config: testWorkerConfig(spec.databaseUrl, {
    ...(spec.marketData ? { marketData: spec.marketData } : {}),
    ...(spec.timeScale ? { timeScale: spec.timeScale } : {}),
    ...(spec.exchangeUrl ? { exchangeUrl: spec.exchangeUrl } : {}),
  }),
  store,
  infra,
  queue,
  logger,
  workerId: spec.workerId,
  options: { scheduler: false, catchUpOnStart: false, periodic: false, authorJobs: false, ...spec.options },
  onStep(step, job) {
    if (spec.reportSteps) say({ type: "step", step, job });
    if (spec.pauseAt === step && !paused) {
      paused = true;
      say({ type: "pausing", step, job });
      process.kill(process.pid, "SIGSTOP");
    }
  },
});

async function shutdown() {
  await worker.stop();
  await queue.close();
  await infra.close();
  store.close();
  say({ type: "stopped" });
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());

createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line) as { cmd: string; jobs?: unknown[] };
  if (command.cmd === "enqueue") {
    const jobs = (command.jobs ?? []).map((j) => candleJobSchema.parse(j));
    worker.enqueue(jobs).then(
      () => say({ type: "enqueued", count: jobs.length }),
      (error) => say({ type: "error", message: String(error) }),
    );
  } else if (command.cmd === "metrics") {
    say({ type: "metrics", text: worker.metrics() });
  } else if (command.cmd === "stop") {
    void shutdown();
  }
});
say({ type: "ready", pid: process.pid });
