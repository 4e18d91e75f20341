// Four worker processes race over 1,000 due candles on one libSQL file, one Postgres queue and one Redis: each runs once.
import { sql } from "drizzle-orm";
import { createTestStore, type TestStore } from "../test/support/store";
import { QUEUES } from "../db/contracts/queues-and-channels";
import {
  createSharedServices,
  stopAll,
  type SharedServices,
  type WorkerProcess,
} from "../test/support/worker/processes";
import { buildScenario, checkInvariants, type Scenario } from "../test/support/worker/scenario";
import { FLIP_CODE } from "../test/support/worker/strategies";

let store: TestStore;
let services: SharedServices;
let workers: WorkerProcess[] = [];
let scenario: Scenario;

beforeAll(async () => {
  store = await createTestStore();
  services = await createSharedServices("race");
  // 200 strategies x 5 closes = 1,000 due keys; FLIP reverses every position, so closes race too.
  scenario = await buildScenario(store, { strategies: 200, subscribers: 2, closes: 5, code: FLIP_CODE });
});

afterAll(async () => {
  await stopAll(workers);
  await services?.cleanup();
  store?.cleanup();
});

it("executes each of 1,000 keys exactly once with 4 workers racing, each enqueuing all of them", async () => {
  workers = Array.from({ length: 4 }, (_, i) =>
    services.spawn(store.url, `race-${i}`, {
      concurrency: 3,
      runConcurrency: 1,
      missedAfterRealMs: 86_400_000,
    }),
  );
  await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready")));
  // Every worker's scheduler offers the same keys: the fixed job ids keep one job per key.
  for (const w of workers) w.send({ cmd: "enqueue", jobs: scenario.keys });
  await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "enqueued")));

  await vi.waitFor(
    async () => {
      const [{ n }] = await store.db.all<{ n: number }>(
        sql`SELECT count(*) AS n FROM executions WHERE status != 'RUNNING'`,
      );
      if (Number(n) < scenario.keys.length)
        throw new Error(`only ${n} of ${scenario.keys.length} executions finished`);
    },
    { timeout: 120_000, interval: 250 },
  );

  const report = await checkInvariants(store, scenario.keys);
  expect(report.problems).toEqual([]);
  expect(report.notTerminal).toEqual([]);
  expect(report.byStatus).toEqual({ COMPLETED: 1000 });
  // One queue job per key, however many times it was offered.
  const jobs = await services.queue.boss.getQueueSize(QUEUES.candle, { before: "failed" });
  expect(jobs).toBe(1000);

  // The work was shared: every worker executed some.
  const perWorker = await store.db.all<{ worker_id: string; n: number }>(
    sql`SELECT worker_id, count(*) AS n FROM executions GROUP BY 1`,
  );
  expect(perWorker).toHaveLength(4);
  const [{ trades }] = await store.db.all<{ trades: number }>(
    sql`SELECT count(*) AS trades FROM trades WHERE status != 'skipped'`,
  );
  expect(Number(trades)).toBeGreaterThan(0);
}, 180_000);
