// The web app on Deno: the same AppContext as `npm run web`, served by Deno.serve from the Deno build
// (`REMIX_TARGET=deno npx remix build` → build/deno/). Run: node_modules/.bin/deno run -A server/deno.ts
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createClient } from "@libsql/client/web";
import type { ServerBuild } from "@remix-run/server-runtime";
import { drizzle } from "drizzle-orm/libsql/web";
import type { Store } from "../db/store/client";
import { loadConfigOrExit, type Config } from "../db/platform/config.server";
import { boundedClient } from "../db/store/call-timeout";
import type { JobSender } from "../db/contracts/jobs";
import { createLifecycle } from "../db/platform/lifecycle";
import { createLogger, type Logger } from "../db/platform/logger.server";
import { createLogMailer } from "../db/platform/mail";
import * as schema from "../db/store/schema";
import { createJobSender } from "../worker/jobs";
import { createInfraWhenUp, createQueueWhenUp, openStoreWhenUp } from "../worker/dependencies";
import { createAppContext } from "./app-context";
import { createWebHandler } from "./web";
import { MIME } from "./mime";
import { cameOverTls, newCspNonce, securityHeaders } from "./security-headers";

/** The slice of the Deno namespace this entry uses (typed here so `tsc` on Node needs no Deno types). */
interface DenoApi {
  serve(
    options: {
      port: number;
      hostname: string;
      onListen?: (addr: { port: number }) => void;
      signal?: AbortSignal;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void> };
  open(path: string): Promise<{
    readable: ReadableStream<Uint8Array>;
    stat(): Promise<{ isFile: boolean; size: number }>;
    close(): void;
  }>;
  addSignalListener(signal: "SIGTERM" | "SIGINT", handler: () => void): void;
  exit(code?: number): never;
}
const maybeDeno = (globalThis as unknown as { Deno?: DenoApi }).Deno;
if (!maybeDeno) throw new Error("server/deno.ts runs on Deno: node_modules/.bin/deno run -A server/deno.ts");
const Deno: DenoApi = maybeDeno;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUILD_DIR = join(ROOT, "build", "deno");

/** The Deno build's hashed assets (build/deno/public/build), then public/ (favicon…), as server/express.ts serves them on Node. */
async function serveStatic(request: Request): Promise<Response | null> {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return new Response("Bad Request", { status: 400, headers: { "Content-Type": "text/plain" } });
  }
  if (pathname.endsWith("/")) return null;
  for (const dir of [join(BUILD_DIR, "public"), join(ROOT, "public")]) {
    if (dir === join(ROOT, "public") && pathname.startsWith("/build/")) continue; // never the Node build's assets
    const path = normalize(join(dir, pathname));
    if (!path.startsWith(dir + "/")) continue;
    const file = await Deno.open(path).catch(() => null);
    if (!file) continue;
    const stat = await file.stat();
    if (!stat.isFile) {
      file.close();
      continue;
    }
    const headers = {
      "Content-Type": MIME[extname(path)] ?? "application/octet-stream",
      "Content-Length": String(stat.size),
      "Cache-Control": pathname.startsWith("/build/")
        ? "public, max-age=31536000, immutable"
        : "public, max-age=3600",
    };
    if (request.method === "HEAD") {
      file.close();
      return new Response(null, { headers });
    }
    return new Response(file.readable, { headers });
  }
  return null;
}

function withSecurityHeaders(request: Request, nonce: string, response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(
    securityHeaders(cameOverTls(request.url, request.headers), nonce),
  )) {
    headers.set(name, value);
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** The store over HTTP to sqld / Turso with the web client (no native driver on Deno), every call bounded. */
function openRemoteStore(config: Config, logger: Logger): Store {
  const client = boundedClient(
    createClient({ url: config.databaseUrl, authToken: config.databaseAuthToken }),
    config.storeTimeoutMs,
    logger,
  );
  return { db: drizzle(client, { schema }), client, close: () => client.close() };
}

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: "web" });
  if (config.mail.transport !== "log") {
    process.stderr.write(
      "MAIL_URL: the Deno web app sends mail to the log only (MAIL_URL=log, the default)\n",
    );
    Deno.exit(1);
  }
  if (config.databaseUrl.startsWith("file:")) {
    process.stderr.write(
      `DATABASE_URL: the Deno web app needs a libSQL server (http:, https:, ws:, wss:, libsql:), not ${config.databaseUrl}\n`,
    );
    Deno.exit(1);
  }
  const lifecycle = createLifecycle({
    logger,
    onSignal: (signal, handler) => Deno.addSignalListener(signal, handler),
    exit: (code) => Deno.exit(code),
  });
  // Each dependency that is not up yet is waited for, with backoff and a log line, as by the Node entries.
  const store = await openStoreWhenUp(async () => openRemoteStore(config, logger), logger);
  lifecycle.started("store", () => store.close());
  const infra = await createInfraWhenUp(config, logger);
  lifecycle.started("infra", () => infra.close());
  // Send-only, as `npm run web`: validations and backtests run on the workers.
  const queue = config.postgresUrl
    ? await createQueueWhenUp(
        {
          postgresUrl: config.postgresUrl,
          schema: config.pgbossSchema,
          dataDir: config.dataDir,
          supervise: false,
          onError: (error) => logger.error({ err: error }, "queue error"),
        },
        logger,
      )
    : undefined;
  if (queue) lifecycle.started("queue", () => queue.close());
  const jobs: JobSender | null = queue ? createJobSender(queue.boss, infra.bus, logger) : null;
  const mailer = createLogMailer({
    dataDir: config.dataDir,
    from: config.mail.from,
    logger: logger.child({ part: "mail" }),
  });
  const app = await createAppContext({ config, store, infra, logger, mailer, jobs });

  // The bundle keeps the CommonJS require() calls of its Node-flavoured dependencies (@remix-run/node, react-dom's
  // Node renderer); Deno serves them from its node: built-ins through this require.
  (globalThis as { require?: NodeJS.Require }).require ??= createRequire(import.meta.url);
  const build = (await import(pathToFileURL(join(BUILD_DIR, "index.js")).href)) as ServerBuild;
  const handler = createWebHandler(build, app, config.nodeEnv);

  const respond = async (request: Request, nonce: string): Promise<Response> => {
    try {
      return (await serveStatic(request)) ?? (await handler(request, nonce));
    } catch (error) {
      logger.error({ err: error, url: request.url }, "request failed");
      return new Response("Internal Server Error", {
        status: 500,
        headers: { "Content-Type": "text/plain" },
      });
    }
  };

  const shutdownController = new AbortController();
  const server = Deno.serve(
    {
      port: config.port,
      hostname: config.host,
      signal: shutdownController.signal,
      onListen: ({ port }) => {
        logger.info(
          {
            url: `http://localhost:${port}`,
            mode: "web",
            runtime: "deno",
            queue: queue?.kind,
            bus: infra.kind,
          },
          "listening",
        );
      },
    },
    async (request) => {
      const nonce = newCspNonce();
      return withSecurityHeaders(request, nonce, await respond(request, nonce));
    },
  );

  lifecycle.started("http", async () => {
    shutdownController.abort();
    await Promise.race([server.finished, new Promise((r) => setTimeout(r, 5_000))]);
  });
  lifecycle.started("events", () => app.events.close());
  lifecycle.started("event streams' places", () => app.streams.close());
}

await main();
