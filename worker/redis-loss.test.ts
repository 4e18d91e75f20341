// Redis flushed (our prefix) and its connections killed mid-run: the workers recover, nothing is doubled or lost.
import { sql } from "drizzle-orm";
import { deleteKeysByPrefix } from "../db/infra/index.server";
import { createTestStore, type TestStore } from "../test/support/store";
import {
  createSharedServices,
  stopAll,
  type SharedServices,
  type WorkerProcess,
} from "../test/support/worker/processes";
import { buildScenario, dueKeys, waitUntilTerminal, type Scenario } from "../test/support/worker/scenario";
import { FLIP_CODE } from "../test/support/worker/strategies";

let store: TestStore;
let services: SharedServices;
let scenario: Scenario;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  store = await createTestStore();
  services = await createSharedServices("redisloss");
  scenario = await buildScenario(store, { strategies: 30, subscribers: 2, closes: 0, code: FLIP_CODE });
});

afterAll(async () => {
  await stopAll(workers);
  await services?.cleanup();
  store?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills every connection our workers opened (they name them after the key prefix). */
async function killOurConnections(): Promise<number> {
  const list = String(await services.redis.client("LIST"));
  const ids = list
    .split("\n")
    .filter((line) => line.includes(`name=${services.keyPrefix}`))
    .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => Boolean(id));
  for (const id of ids) await services.redis.client("KILL", "ID", id);
  return ids.length;
}

it("keeps every candle exactly once through Redis flushes and killed connections", async () => {
  workers = Array.from({ length: 3 }, (_, i) =>
    services.spawn(store.url, `r${i}`, {
      concurrency: 3,
      runConcurrency: 1,
      missedAfterRealMs: 86_400_000,
      lockTtlMs: 3_000,
      candleJobExpireSeconds: 5,
    }),
  );
  await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready")));

  const keys = [];
  const now = Date.now();
  let flushed = 0;
  let killed = 0;
  for (let round = 0; round < 8; round++) {
    const batch = dueKeys(scenario.strategies, 1, now, round);
    keys.push(...batch);
    await services.enqueue(batch);
    await sleep(200 + Math.random() * 300);
    // Mid-run: locks, cached settings and the registry vanish, or every connection drops.
    if (round % 2 === 0) flushed += await deleteKeysByPrefix(services.redis, services.keyPrefix);
    else killed += await killOurConnections();
  }

  const report = await waitUntilTerminal(store, keys);
  console.log(
    `redis loss: ${keys.length} keys ${JSON.stringify(report.byStatus)}; ${flushed} keys flushed, ${killed} connections killed`,
  );
  expect(killed).toBeGreaterThan(0);
  expect(report.problems).toEqual([]);
  // Nothing lost: every candle executed, none left to the janitor.
  expect(report.byStatus).toEqual({ COMPLETED: keys.length });
  const [{ n }] = await store.db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM trades WHERE status != 'skipped'`,
  );
  expect(Number(n)).toBeGreaterThan(0);
  // The workers are still healthy afterwards.
  for (const w of workers) expect(w.child.exitCode).toBeNull();
}, 150_000);
