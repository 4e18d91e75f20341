// Distributed mode end to end: real sqld, Postgres and Redis; two web replicas and two standalone workers as
// separate processes. A subscriber signs up and subscribes on replica A, watches the subscription on replica B,
// and the execution written by a worker reaches B's SSE stream through Redis. Then one worker is killed -9.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Redis } from "ioredis";
import pg from "pg";
import type { Browser } from "playwright-core";
import { openStore, type Store } from "../../db/store/client";
import { deleteKeysByPrefix } from "../../db/infra/index.server";
import { migrateStore } from "../../db/store/migrate";
import { createStrategyRunner } from "../../worker/runtime";
import { seedExamples } from "../../scripts/seed";
import { launchBrowser, screenshot } from "./harness";
import {
  freePort,
  spawnChild,
  spawnWebReplica,
  startSqld,
  tempDir,
  tsxArgs,
  type Child,
  type RunningSqld,
} from "./sqld";
import { signUp, subscribe } from "./subscriber-steps";

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const tag = randomBytes(4).toString("hex");
const PGBOSS_SCHEMA = `pgboss_dist_${tag}`;
const REDIS_KEY_PREFIX = `candlecast-dist-${tag}:`;

let sqld: RunningSqld;
let store: Store;
let browser: Browser;
let dataDir: ReturnType<typeof tempDir>;
const webs: { child: Child; url: string }[] = [];
const workers: { child: Child; port: number; workerId: string }[] = [];

beforeAll(async () => {
  sqld = await startSqld();
  store = await openStore({ url: sqld.url });
  await migrateStore(store.db);
  const seeded = await seedExamples(
    store.db,
    createStrategyRunner({ python: "/usr/bin/python3", sandbox: "bwrap" }),
  );
  expect(seeded.created).toContain("sma-crossover");

  dataDir = tempDir("candlecast-dist-");
  const env = {
    DATABASE_URL: sqld.url,
    POSTGRES_URL,
    PGBOSS_SCHEMA,
    REDIS_URL,
    REDIS_KEY_PREFIX,
    // Every replica signs and reads the same session cookies and credentials.
    SESSION_SECRET: "distributed-test-session-secret-0123456789abcdef",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    TIME_SCALE: "3600",
    WORKER_CONCURRENCY: "2",
    DATA_DIR: dataDir.path,
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  };
  // Workers first: they create pg-boss's schema and queues; then the web replicas (send-only queue).
  const workerPorts = [await freePort(), await freePort()];
  const started = await Promise.all(
    workerPorts.map((port, i) =>
      spawnChild({
        name: `worker-${i + 1}`,
        command: process.execPath,
        args: tsxArgs("worker/main.ts"),
        env: { ...env, WORKER_PORT: String(port) },
        readyUrl: `http://127.0.0.1:${port}/healthz`,
      }),
    ),
  );
  started.forEach((child, i) =>
    workers.push({ child, port: workerPorts[i], workerId: `${hostname()}:${child.pid}` }),
  );
  for (const name of ["A", "B"]) webs.push(await spawnWebReplica(`web-${name}`, env));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([...webs, ...workers].map(({ child }) => child.stop()));
  store?.close();
  await sqld?.stop();
  dataDir?.remove();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  await deleteKeysByPrefix(redis, REDIS_KEY_PREFIX);
  redis.disconnect();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${PGBOSS_SCHEMA}" CASCADE`);
  await client.end();
}, 60_000);

type HealthJson = {
  ok: boolean;
  store: { detail: string };
  queue: { detail: string };
  bus: { detail: string };
};

it("each web replica reports sqld and Redis; each worker answers its own /healthz", async () => {
  for (const { url } of webs) {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as HealthJson;
    expect(report.ok).toBe(true);
    expect(report.store.detail).toContain(sqld.url);
    expect(report.bus.detail).toMatch(/^redis ping/);
    expect(report.queue.detail).toMatch(/web only/);
  }
  for (const { port } of workers) {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as { ok: boolean; detail: string };
    expect(report.ok).toBe(true);
    expect(report.detail).toMatch(/pg-boss on postgres/);
    expect(report.detail).toMatch(/redis ping/);
  }
});

async function executionIdsOnPage(page: import("playwright-core").Page): Promise<string[]> {
  return page
    .locator("[data-execution-id]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-execution-id")!));
}

it("subscribe on replica A, watch live on replica B, one execution per candle across two workers, survive kill -9", async () => {
  const [a, b] = webs;
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await signUp(page, { url: a.url, dataDir: dataDir.path }, "Dist");
  const subscriptionUrl = await subscribe(page, a.url, "sma-crossover");
  const path = new URL(subscriptionUrl).pathname;
  const subscriptionId = path.split("/").pop()!;

  // Replica B: same browser context, so the same session cookie (cookies ignore the port); the session row is in sqld.
  await page.goto(`${b.url}${path}`);
  await page.getByRole("button", { name: "Log out" }).waitFor();
  await page.locator('[data-live-state="live"]').waitFor({ timeout: 15_000 });
  // Survives only if the page is never reloaded: what arrives next arrives by SSE.
  await page.evaluate(() => {
    const w = window as unknown as { __noReload: boolean; __seenAt: Record<string, number> };
    w.__noReload = true;
    w.__seenAt = {};
    const stamp = () => {
      for (const el of document.querySelectorAll("[data-execution-id]")) {
        const id = el.getAttribute("data-execution-id")!;
        w.__seenAt[id] ??= Date.now();
      }
    };
    stamp();
    new MutationObserver(stamp).observe(document.body, { childList: true, subtree: true });
  });
  const onLoad = new Set(await executionIdsOnPage(page));
  const tradesOnLoad = await page.locator("[data-trade-status]").count();

  // A new execution row appears on B without a reload, then a trade row.
  await page.waitForFunction(
    (known) =>
      [...document.querySelectorAll("[data-execution-id]")].some(
        (e) => !known.includes(e.getAttribute("data-execution-id")!),
      ),
    [...onLoad],
    { timeout: 30_000 },
  );
  await page.waitForFunction(
    (n) => document.querySelectorAll("[data-trade-status]").length > n,
    tradesOnLoad,
    { timeout: 90_000 },
  );
  await expect(page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).resolves.toBe(
    true,
  );
  await screenshot(page, "distributed-live-replica-b");

  // Latency: the execution's commit (finishedAt, written by a worker) to its row on replica B's page.
  const seenAt = await page.evaluate(
    () => (window as unknown as { __seenAt: Record<string, number> }).__seenAt,
  );
  const live = Object.keys(seenAt).filter((id) => !onLoad.has(id));
  const rows = await store.client.execute({
    sql: `SELECT id, started_at, finished_at, worker_id FROM executions WHERE id IN (${live.map(() => "?").join(",")})`,
    args: live,
  });
  const delays = rows.rows.map((r) => ({
    commitToPage: seenAt[String(r.id)] - Number(r.finished_at),
    startToPage: seenAt[String(r.id)] - Number(r.started_at),
  }));
  expect(delays.length).toBeGreaterThan(0);
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const commit = delays.map((d) => d.commitToPage);
  // The figure is printed, not asserted: a latency bound is a bench's job (it measured 1.4-1.6 s p50 on a
  // slow day's 2 cores before any change of 2026-12-01). What must hold is asserted above: the rows
  // arrived live, without a reload.
  console.info(
    `[distributed] ${delays.length} executions arrived live on replica B; commit → page p50 ${median(commit)} ms, ` +
      `max ${Math.max(...commit)} ms; execution start → page p50 ${median(delays.map((d) => d.startToPage))} ms`,
  );

  // Exactly once across the two workers, read from the shared store.
  const executed = await store.client.execute(
    "SELECT DISTINCT worker_id FROM executions WHERE worker_id IS NOT NULL",
  );
  const executors = executed.rows.map((r) => String(r.worker_id));
  expect(executors.every((w) => workers.some((k) => k.workerId === w))).toBe(true);
  const split = await store.client.execute("SELECT worker_id, count(*) AS n FROM executions GROUP BY 1");
  console.info(
    `[distributed] executions per worker: ${JSON.stringify(split.rows.map((r) => [r.worker_id, Number(r.n)]))}`,
  );
  await expectExactlyOnce();

  // kill -9 one worker mid-run: the other keeps executing new closes.
  const [victim, survivor] = workers;
  const before = await store.client.execute({
    sql: "SELECT max(close_time) AS t FROM executions WHERE strategy_id = (SELECT strategy_id FROM subscriptions WHERE id = ?)",
    args: [subscriptionId],
  });
  const lastClose = Number(before.rows[0].t);
  await victim.child.kill9();
  const killedAt = Date.now();
  const after = await vi
    .waitFor(
      async () => {
        const r = await store.client.execute({
          sql: "SELECT count(*) AS n, max(finished_at) AS t FROM executions WHERE worker_id = ? AND close_time > ? AND status <> 'RUNNING'",
          args: [survivor.workerId, lastClose],
        });
        expect(Number(r.rows[0].n)).toBeGreaterThanOrEqual(3);
        return { n: Number(r.rows[0].n), t: Number(r.rows[0].t) };
      },
      { timeout: 45_000, interval: 500 },
    )
    .catch(async (error: unknown) => {
      // What the survivor was doing: its own warnings and the rows by worker and status.
      const rows = await store.client.execute(
        "SELECT worker_id, status, count(*) AS n, max(close_time) AS last FROM executions GROUP BY 1, 2",
      );
      console.error(
        `[distributed] survivor ${survivor.workerId} executed nothing new; rows ${JSON.stringify(rows.rows)}\n` +
          `survivor output:\n${survivor.child.output().slice(-4000)}\nvictim output:\n${victim.child.output().slice(-4000)}`,
      );
      throw error;
    });
  console.info(
    `[distributed] after kill -9: ${after.n} newer executions by the survivor within ${after.t - killedAt} ms`,
  );
  const survivorHealth = await fetch(`http://127.0.0.1:${survivor.port}/healthz`);
  expect(survivorHealth.status).toBe(200);
  // And replica B still gets them live.
  const shownBefore = await executionIdsOnPage(page);
  await page.waitForFunction(
    (known) =>
      [...document.querySelectorAll("[data-execution-id]")].some(
        (e) => !known.includes(e.getAttribute("data-execution-id")!),
      ),
    shownBefore,
    { timeout: 30_000 },
  );
  await expectExactlyOnce();
  await screenshot(page, "distributed-live-after-kill");
  await context.close();
}, 240_000);

async function expectExactlyOnce() {
  const executions = await store.client.execute("SELECT count(*) AS n FROM executions");
  expect(Number(executions.rows[0].n)).toBeGreaterThan(0);
  const doubleExecutions = await store.client.execute(
    "SELECT strategy_id, symbol, resolution, close_time, count(*) AS n FROM executions GROUP BY 1, 2, 3, 4 HAVING n > 1",
  );
  expect(doubleExecutions.rows).toEqual([]);
  const doubleTrades = await store.client.execute(
    "SELECT subscription_id, execution_id, count(*) AS n FROM trades GROUP BY 1, 2 HAVING n > 1",
  );
  expect(doubleTrades.rows).toEqual([]);
}
