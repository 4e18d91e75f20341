// `npm start`: the embedded one-command run (web app + worker in ONE process on local defaults).
// `npm run web` (--web): the web app alone, for the distributed mode.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import type { AppContext } from "../app/context.server";
import { openStore } from "../db/store/client";
import { exitIfConfigError, loadConfigOrExit } from "../db/platform/config.server";
import { createInfra } from "../db/infra/index.server";
import { createLogger } from "../db/platform/logger.server";
import { migrateStore } from "../db/store/migrate";
import { createHttpServer } from "../server/express";
import { guardProcess } from "../server/process-guard";
import { createWebHandler } from "../server/web";
import { createAppContext } from "../server/app-context";
import { createJobSender } from "../worker/jobs";
import { startWorker, type RunningWorker } from "../worker/main";
import { createQueue, type Queue } from "../worker/queue";
import { createStrategyRunner, exitIfSandboxUnavailable } from "../worker/runtime";
import { BUILD_FILE, buildIfNeeded, ROOT } from "./build-if-needed";
import { seedIfEmpty } from "./seed";

async function main() {
  const webOnly = process.argv.includes("--web");
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: webOnly ? "web" : "candlecast" });
  guardProcess(logger);
  buildIfNeeded((msg) => logger.info(msg));

  const store = await openStore({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  await migrateStore(store.db);
  // Seeding validates the examples in the sandbox: the embedded start does it; a web replica never runs
  // Python (the distributed recipe seeds with `npm run db:seed`).
  if (!webOnly) {
    const seeded = await seedIfEmpty(
      store.db,
      createStrategyRunner({ python: config.python, sandbox: config.sandbox }),
    );
    if (seeded) logger.info(seeded, "seeded example strategies");
  }
  const infra = await createInfra({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger });

  let queue: Queue | undefined;
  let worker: RunningWorker | undefined;
  if (!webOnly) {
    queue = await createQueue({
      postgresUrl: config.postgresUrl,
      schema: config.pgbossSchema,
      dataDir: config.dataDir,
      onError: (error) => logger.error({ err: error }, "queue error"),
    });
    worker = await startWorker({ config, store, infra, queue, logger: logger.child({ part: "worker" }) });
  } else if (config.postgresUrl) {
    // Send-only: the web app enqueues validations and backtests; the workers run them.
    queue = await createQueue({
      postgresUrl: config.postgresUrl,
      schema: config.pgbossSchema,
      dataDir: config.dataDir,
      supervise: false,
      onError: (error) => logger.error({ err: error }, "queue error"),
    });
  }
  const jobs = queue ? createJobSender(queue.boss, infra.bus, logger) : null;

  const app: AppContext = {
    // The same construction as the Deno entry (server/deno.ts); the worker's parts exist only in embedded mode.
    ...(await createAppContext({ config, store, infra, logger, jobs, workerHealth: worker?.health })),
    metrics: worker?.metrics,
  };

  const build = (await import(pathToFileURL(BUILD_FILE).href)) as ServerBuild;
  const handler = createWebHandler(build, app, config.nodeEnv);
  const server = createHttpServer({
    publicDir: join(ROOT, "public"),
    handler,
    onError: (error) => logger.error({ err: error }, "request failed"),
  });
  server.listen(config.port, config.host, () => {
    const url = `http://localhost:${config.port}`;
    logger.info(
      { url, mode: webOnly ? "web" : "embedded", queue: queue?.kind, bus: infra.kind },
      "listening",
    );
    process.stdout.write(`\nCandlecast is running at ${url}\n\n`);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    server.close();
    server.closeAllConnections();
    await app.events.close();
    await worker?.stop();
    await queue?.close();
    await infra.close();
    store.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

await main().catch(exitIfSandboxUnavailable).catch(exitIfConfigError);
