// `npm run worker` started before sqld, Redis and Postgres: it waits for each in turn, saying so, and starts once they are up.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { freePort, startSqld, tempDir, type RunningSqld } from "../test/e2e/sqld";
import { POSTGRES_URL, REDIS_URL } from "../test/support/worker/processes";
import { createTcpForwarder, type TcpForwarder } from "../test/support/tcp-forwarder";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

let sqld: RunningSqld | undefined;
const forwarders: TcpForwarder[] = [];
const schema = `cc_wait_${process.pid}`;
afterAll(async () => {
  await sqld?.stop();
  for (const f of forwarders) await f.stop();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

it("waits with backoff and one log line per dependency instead of exiting, then starts", async () => {
  const [storePort, redisPort, pgPort, workerPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const postgres = new URL(POSTGRES_URL);
  const redis = new URL(REDIS_URL);
  const redisForwarder = createTcpForwarder(redisPort, {
    host: redis.hostname,
    port: Number(redis.port || 6379),
  });
  const pgForwarder = createTcpForwarder(pgPort, {
    host: postgres.hostname,
    port: Number(postgres.port || 5432),
  });
  forwarders.push(redisForwarder, pgForwarder);
  const viaForwarder = new URL(POSTGRES_URL);
  viaForwarder.port = String(pgPort);
  const dataDir = tempDir("candlecast-wait-");
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      DATA_DIR: dataDir.path,
      DATABASE_URL: `http://127.0.0.1:${storePort}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_KEY_PREFIX: `cc-test:wait:${process.pid}:`,
      POSTGRES_URL: viaForwarder.toString(),
      PGBOSS_SCHEMA: schema,
      WORKER_PORT: String(workerPort),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: { msg: string; dependency?: string }[] = [];
  let stderr = "";
  let buffer = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
  });
  const logged = (pattern: RegExp, times = 1) =>
    vi.waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}):\n${stderr}`);
        if (lines.filter((l) => pattern.test(l.msg)).length < times)
          throw new Error(`no "${pattern.source}" yet:\n${lines.map((l) => l.msg).join("\n")}`);
      },
      { timeout: 60_000, interval: 100 },
    );
  try {
    // Twice: it retries (with a growing pause) rather than giving up.
    await logged(/^waiting for the store \(DATABASE_URL\): .*ECONNREFUSED.*; retrying in \d/, 2);
    sqld = await startSqld({ port: storePort });
    await logged(/^the store \(DATABASE_URL\) is reachable$/);
    await logged(/^waiting for Redis \(REDIS_URL\): /, 2);
    await redisForwarder.start();
    await logged(/^waiting for Postgres \(POSTGRES_URL\): /, 2);
    await pgForwarder.start();
    await logged(/^worker started$/);
    const pauses = lines
      .filter((l) => /^waiting for the store/.test(l.msg))
      .map((l) => (l as { retryInMs?: number }).retryInMs!);
    expect(pauses[1]).toBeGreaterThan(pauses[0]);
    await vi.waitFor(
      async () => {
        const health = await fetch(`http://127.0.0.1:${workerPort}/healthz`);
        expect(await health.json()).toMatchObject({ ok: true });
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    dataDir.remove();
  }
}, 120_000);
