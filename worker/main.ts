// The worker's composition root: builds its clients from config and passes them in (no singletons).
// Runs alone (`npm run worker`) or inside the embedded process (scripts/start.ts).
import { hostname } from "node:os";
import type { Store } from "../db/client";
import { openStore } from "../db/client";
import { loadConfigOrExit, type Config } from "../db/config.server";
import { createInfra, type Infra } from "../db/infra/index.server";
import { createLogger, type Logger } from "../db/logger.server";
import { migrateStore } from "../db/migrate";
import { createQueue, type Queue } from "./queue";

export interface WorkerDeps {
  config: Config;
  store: Store;
  infra: Infra;
  queue: Queue;
  logger: Logger;
  workerId?: string;
}

export interface RunningWorker {
  workerId: string;
  health(): Promise<{ ok: boolean; detail: string }>;
  stop(): Promise<void>;
}

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}`;
  deps.logger.info({ workerId, queue: deps.queue.kind, bus: deps.infra.kind }, "worker started");
  return {
    workerId,
    async health() {
      const queues = await deps.queue.boss.getQueues();
      return { ok: true, detail: `pg-boss on ${deps.queue.kind}, ${queues.length} queues` };
    },
    async stop() {
      deps.logger.info({ workerId }, "worker stopping");
    },
  };
}

/** `npm run worker`: a standalone worker process that stops gracefully on SIGTERM / SIGINT. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: "worker" });
  const store = await openStore({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  await migrateStore(store.db);
  const infra = await createInfra({ redisUrl: config.redisUrl, logger });
  const queue = await createQueue({
    postgresUrl: config.postgresUrl,
    dataDir: config.dataDir,
    onError: (error) => logger.error({ err: error }, "queue error"),
  });
  const worker = await startWorker({ config, store, infra, queue, logger });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await worker.stop();
    await queue.close();
    await infra.close();
    store.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
