// kill -9 at random points, 20 trials with restarts: afterwards every due candle is terminal, nothing doubled or half-written.
import { sql } from "drizzle-orm";
import pino from "pino";
import { createTestStore, type TestStore } from "../test/support/store";
import { QUEUES } from "../db/contracts/queues-and-channels";
import { createJanitor } from "./janitor";
import { createWorkerMetrics } from "./metrics";
import {
  createSharedServices,
  stopAll,
  type SharedServices,
  type WorkerProcess,
} from "../test/support/worker/processes";
import {
  buildScenario,
  checkInvariants,
  dueKeys,
  waitUntilTerminal,
  type Scenario,
} from "../test/support/worker/scenario";
import { FLIP_CODE } from "../test/support/worker/strategies";

const TRIALS = 20;
let store: TestStore;
let services: SharedServices;
let scenario: Scenario;
const everyWorker: WorkerProcess[] = [];

beforeAll(async () => {
  store = await createTestStore();
  services = await createSharedServices("crash");
  scenario = await buildScenario(store, { strategies: 25, subscribers: 2, closes: 0, code: FLIP_CODE });
});

afterAll(async () => {
  await stopAll(everyWorker);
  await services?.cleanup();
  store?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`recovers from ${TRIALS} kill -9s at random points`, async () => {
  const start = (id: string) => {
    // Short leases so a dead worker's job and lock come back within seconds.
    const w = services.spawn(store.url, id, {
      concurrency: 3,
      runConcurrency: 1,
      missedAfterRealMs: 86_400_000,
      lockTtlMs: 2_000,
      candleJobExpireSeconds: 3,
    });
    everyWorker.push(w);
    return w;
  };
  const slots = [start("w0-0"), start("w1-0"), start("w2-0")];
  await Promise.all(slots.map((w) => w.waitFor((m) => m.type === "ready")));

  const keys = [];
  const now = Date.now();
  let killedWhileBusy = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    // A new boundary's worth of candles, so every kill lands among running executions.
    const batch = dueKeys(scenario.strategies, 1, now, trial);
    keys.push(...batch);
    await services.enqueue(batch);
    await sleep(150 + Math.random() * 450);

    const slot = Math.floor(Math.random() * slots.length);
    const victim = slots[slot];
    const [{ n }] = await store.db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM executions WHERE status = 'RUNNING'`,
    );
    if (Number(n) > 0) killedWhileBusy += 1;
    victim.child.kill("SIGKILL");
    await victim.exited;
    slots[slot] = start(`w${slot}-${trial + 1}`);
  }
  await Promise.all(slots.map((w) => w.waitFor((m) => m.type === "ready")));

  // The janitor (with a short limit) finishes what the dead left RUNNING; pg-boss brings back what they left active.
  const janitor = createJanitor({
    db: store.db,
    stuckAfterMs: 4_000,
    logger: pino({ level: "silent" }),
    metrics: createWorkerMetrics(),
  });
  await waitUntilTerminal(store, keys, { everyMs: 500, onTick: janitor });
  // Nothing left in flight in the queue either.
  await vi.waitFor(
    async () => {
      const waiting = await services.queue.boss.getQueueSize(QUEUES.candle, { before: "completed" });
      if (waiting !== 0) throw new Error(`${waiting} candle jobs still in the queue`);
    },
    { timeout: 60_000, interval: 500 },
  );
  const report = await checkInvariants(store, keys);

  console.log(
    `crash trials: ${keys.length} keys ${JSON.stringify(report.byStatus)}, ${killedWhileBusy}/${TRIALS} kills during a run`,
  );
  expect(report.problems).toEqual([]);
  expect(report.notTerminal).toEqual([]);
  expect((report.byStatus.COMPLETED ?? 0) + (report.byStatus.FAILED ?? 0)).toBe(keys.length);
  expect(report.byStatus.COMPLETED).toBeGreaterThan(keys.length / 2);
  // The kills did land on work in progress.
  expect(killedWhileBusy).toBeGreaterThan(TRIALS / 4);
}, 180_000);
