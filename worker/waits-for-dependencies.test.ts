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

/** `npm run worker` as a child process on the given ports, with its log lines and a waiter for them. */
function spawnWorker(ports: { store: number; redis: number; postgres: number; worker: number }) {
  const viaForwarder = new URL(POSTGRES_URL);
  viaForwarder.port = String(ports.postgres);
  const dataDir = tempDir("candlecast-wait-");
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      DATA_DIR: dataDir.path,
      DATABASE_URL: `http://127.0.0.1:${ports.store}`,
      REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
      REDIS_KEY_PREFIX: `cc-test:wait:${process.pid}:${ports.worker}:`,
      POSTGRES_URL: viaForwarder.toString(),
      PGBOSS_SCHEMA: schema,
      WORKER_PORT: String(ports.worker),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: { msg: string; dependency?: string; retryInMs?: number }[] = [];
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
  const healthy = () =>
    vi.waitFor(
      async () => {
        const health = await fetch(`http://127.0.0.1:${ports.worker}/healthz`);
        expect(await health.json()).toMatchObject({ ok: true });
      },
      { timeout: 20_000, interval: 200 },
    );
  async function stop() {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    dataDir.remove();
  }
  return { child, lines, logged, healthy, stop };
}

/** Forwarders to the real Redis and Postgres, not yet accepting. */
async function forwardersToRedisAndPostgres() {
  const postgres = new URL(POSTGRES_URL);
  const redis = new URL(REDIS_URL);
  const redisForwarder = createTcpForwarder(await freePort(), {
    host: redis.hostname,
    port: Number(redis.port || 6379),
  });
  const pgForwarder = createTcpForwarder(await freePort(), {
    host: postgres.hostname,
    port: Number(postgres.port || 5432),
  });
  forwarders.push(redisForwarder, pgForwarder);
  return { redisForwarder, pgForwarder };
}

it("waits with backoff and one log line per dependency instead of exiting, then starts", async () => {
  const storePort = await freePort();
  const { redisForwarder, pgForwarder } = await forwardersToRedisAndPostgres();
  const worker = spawnWorker({
    store: storePort,
    redis: redisForwarder.port,
    postgres: pgForwarder.port,
    worker: await freePort(),
  });
  const { logged, lines } = worker;
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
    const pauses = lines.filter((l) => /^waiting for the store/.test(l.msg)).map((l) => l.retryInMs!);
    expect(pauses[1]).toBeGreaterThan(pauses[0]);
    await worker.healthy();
    expect(worker.child.exitCode).toBeNull();
  } finally {
    await worker.stop();
  }
}, 120_000);

it("waits for the store again when it goes away after its wait, before the worker has started", async () => {
  sqld ??= await startSqld({ port: await freePort() });
  const store = createTcpForwarder(await freePort(), {
    host: "127.0.0.1",
    port: Number(new URL(sqld.url).port),
  });
  forwarders.push(store);
  await store.start();
  const { redisForwarder, pgForwarder } = await forwardersToRedisAndPostgres();
  const worker = spawnWorker({
    store: store.port,
    redis: redisForwarder.port,
    postgres: pgForwarder.port,
    worker: await freePort(),
  });
  try {
    await worker.logged(/^waiting for Redis \(REDIS_URL\): /);
    // sqld restarted while the worker waits for the others: its first reads after the waits meet a closed port.
    await store.stop();
    await redisForwarder.start();
    await pgForwarder.start();
    await worker.logged(
      /^waiting for the store \(DATABASE_URL\), to re-queue waiting backtests: .*ECONNREFUSED/,
    );
    await store.start();
    await worker.logged(/^worker started$/);
    await worker.healthy();
    expect(worker.child.exitCode).toBeNull();
  } finally {
    await worker.stop();
  }
}, 120_000);
