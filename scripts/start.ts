// `npm start`: the embedded one-command run (web app + worker in ONE process on local defaults).
// `npm run web` (--web): the web app alone, for the distributed mode.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import type { AppContext } from "../app/context.server";
import { exitIfConfigError, loadConfigOrExit } from "../db/platform/config.server";
import { createLifecycle, nodeProcess } from "../db/platform/lifecycle";
import { createLogger } from "../db/platform/logger.server";
import { createMailer } from "../db/platform/mailer.server";
import { createHttpServer } from "../server/express";
import { guardProcess } from "../server/process-guard";
import { createWebHandler } from "../server/web";
import { createAppContext } from "../server/app-context";
import { openConfiguredStore } from "../db/store/client";
import { createJobSender } from "../worker/jobs";
import { startWorker } from "../worker/main";
import { createInfraWhenUp, createQueueWhenUp, openStoreWhenUp } from "../worker/dependencies";
import { createStrategyRunner, exitIfSandboxUnavailable } from "../worker/runtime";
import { BUILD_FILE, buildIfNeeded, ROOT } from "./build-if-needed";
import { seedIfEmpty } from "./seed";

async function main() {
  const webOnly = process.argv.includes("--web");
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: webOnly ? "web" : "candlecast" });
  guardProcess(logger);
  const lifecycle = createLifecycle({ logger, ...nodeProcess });
  buildIfNeeded((msg) => logger.info(msg));

  const store = await openStoreWhenUp(() => openConfiguredStore(config, logger), logger);
  lifecycle.started("store", () => store.close());
  // Seeding validates the examples in the sandbox: the embedded start does it; a web replica never runs
  // Python (the distributed recipe seeds with `npm run db:seed`).
  if (!webOnly) {
    const runner = createStrategyRunner({ python: config.python, sandbox: config.sandbox });
    const seeded = await seedIfEmpty(store.db, runner).finally(() => runner.close());
    if (seeded) logger.info(seeded, "seeded example strategies");
  }
  const infra = await createInfraWhenUp(config, logger);
  lifecycle.started("infra", () => infra.close());

  // The embedded worker's queue; a web replica's is send-only (the workers run validations and backtests).
  const queue =
    !webOnly || config.postgresUrl
      ? await createQueueWhenUp(
          {
            postgresUrl: config.postgresUrl,
            schema: config.pgbossSchema,
            dataDir: config.dataDir,
            supervise: !webOnly,
            onError: (error) => logger.error({ err: error }, "queue error"),
          },
          logger,
        )
      : undefined;
  if (queue) lifecycle.started("queue", () => queue.close());
  const worker =
    !webOnly && queue
      ? await startWorker({ config, store, infra, queue, logger: logger.child({ part: "worker" }) })
      : undefined;
  if (worker) lifecycle.started("worker", () => worker.stop());
  const jobs = queue ? createJobSender(queue.boss, infra.bus, logger) : null;
  const mailer = createMailer(config.mail, {
    dataDir: config.dataDir,
    logger: logger.child({ part: "mail" }),
  });
  lifecycle.started("mail", () => mailer.close());

  const app: AppContext = {
    // The same construction as the Deno entry (server/deno.ts); the worker's parts exist only in embedded mode.
    ...(await createAppContext({ config, store, infra, logger, mailer, jobs, workerHealth: worker?.health })),
    metrics: worker?.metrics,
  };
  lifecycle.started("events", () => app.events.close());
  lifecycle.started("event streams' places", () => app.streams.close());

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

  lifecycle.started("http", () => {
    server.close();
    server.closeAllConnections();
  });
}

await main().catch(exitIfSandboxUnavailable).catch(exitIfConfigError);
