// A worker paused (SIGSTOP) past its lock TTL and lease, then resumed: another took the candle over, and whatever it writes late is refused by the store.
import { eq, sql } from "drizzle-orm";
import { executions, trades } from "../db/store/schema";
import { createTestStore, type TestStore } from "../test/support/store";
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
import { BUY_CODE } from "../test/support/worker/strategies";
import type { WorkerProcessSpec } from "../test/support/worker/worker-process";

let store: TestStore;
let services: SharedServices;
let scenario: Scenario;
const workers: WorkerProcess[] = [];
/** Every key this file scheduled, for the invariant check (which looks at the whole store). */
const scheduled: ReturnType<typeof dueKeys> = [];

beforeAll(async () => {
  store = await createTestStore();
  services = await createSharedServices("pause");
  scenario = await buildScenario(store, { strategies: 2, subscribers: 3, closes: 0, code: BUY_CODE });
});

afterEach(async () => {
  // Each case starts its own workers: a survivor of the last one would take the next job.
  await stopAll(workers.splice(0));
});

afterAll(async () => {
  await services?.cleanup();
  store?.cleanup();
});

const LOCK_TTL_MS = 1_000;

function start(id: string, extra: Partial<WorkerProcessSpec> = {}) {
  const options = {
    concurrency: 1,
    runConcurrency: 1,
    missedAfterRealMs: 86_400_000,
    lockTtlMs: LOCK_TTL_MS,
    candleJobExpireSeconds: 2,
  };
  const w = services.spawn(store.url, id, options, extra);
  workers.push(w);
  return w;
}

async function metric(w: WorkerProcess, name: string): Promise<number> {
  const before = w.messages.length;
  w.send({ cmd: "metrics" });
  const m = await w.waitFor((x) => x.type === "metrics" && w.messages.indexOf(x) >= before);
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, "m").exec(String(m.text))?.[1] ?? 0);
}

/** The candle's one execution row once its status satisfies `done`. */
function rowWhen(key: ReturnType<typeof dueKeys>[number], done: (status: string) => boolean, what: string) {
  return vi.waitFor(
    async () => {
      const [found] = await store.db
        .select()
        .from(executions)
        .where(eq(executions.strategyId, key.strategyId));
      if (!found || !done(found.status)) throw new Error(what);
      return found;
    },
    { timeout: 30_000, interval: 100 },
  );
}

async function enqueue(key: ReturnType<typeof dueKeys>[number]) {
  scheduled.push(key);
  await services.enqueue([key]);
}

it("a worker paused past its lease after its run: another takes the candle over within seconds, the paused one's commit is refused and logged", async () => {
  const [key] = dueKeys([scenario.strategies[0]], 1);
  const a = start("paused-a", { pauseAt: "planned" });
  await a.waitFor((m) => m.type === "ready");
  await enqueue(key);
  await a.waitFor((m) => m.type === "pausing");
  const pausedAt = Date.now();

  // A is stopped holding a claimed RUNNING row. Once its lease lapses, B's take-over pass finds the row
  // (no janitor, no job retry needed) and executes the candle itself.
  const b = start("b-1");
  const row = await rowWhen(key, (status) => status === "COMPLETED", "the candle was not taken over");
  const takenOverAfterMs = Date.now() - pausedAt;
  expect(row).toMatchObject({ workerId: "b-1", signal: "BUY" });
  expect(await metric(b, "candlecast_claims_taken_over_total")).toBe(1);

  a.child.kill("SIGCONT");
  await vi.waitFor(
    async () => {
      if ((await metric(a, "candlecast_fenced_writes_total")) < 1)
        throw new Error("the paused worker never tried its late write");
    },
    { timeout: 5_000, interval: 100 },
  );
  expect(a.stderr.join("")).toMatch(/commit refused: this worker's lease on the candle lapsed/);
  const rows = await store.db.select().from(executions).where(eq(executions.strategyId, key.strategyId));
  expect(rows).toEqual([expect.objectContaining({ id: row.id, status: "COMPLETED", workerId: "b-1" })]);
  const [{ n }] = await store.db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM trades WHERE strategy_id = ${key.strategyId}`,
  );
  expect(Number(n)).toBe(3);
  expect((await checkInvariants(store, scheduled)).problems).toEqual([]);
  console.log(`pause: taken over ${takenOverAfterMs} ms after the pause (lease ${LOCK_TTL_MS} ms)`);
}, 60_000);

it("lets another worker execute the candle while the paused one waits; the paused one then does nothing", async () => {
  const [key] = dueKeys([scenario.strategies[1]], 1);
  const a = start("paused-c", { pauseAt: "locked" });
  await a.waitFor((m) => m.type === "ready");
  await enqueue(key);
  await a.waitFor((m) => m.type === "pausing");

  // Past A's lock TTL and the job's expiry, the retried job reaches a running worker, which executes it.
  const b = start("b-2");
  await b.waitFor((m) => m.type === "ready");
  const row = await rowWhen(
    key,
    (status) => status !== "RUNNING",
    "the candle was not executed by the running worker",
  );
  expect(row).toMatchObject({ status: "COMPLETED", signal: "BUY" });
  expect(row.workerId).not.toBe("paused-c");

  a.child.kill("SIGCONT");
  await vi.waitFor(
    async () => {
      if ((await metric(a, "candlecast_candle_jobs_total")) < 1)
        throw new Error("the paused worker never finished its job");
    },
    { timeout: 10_000, interval: 100 },
  );
  // A's claim was refused by the unique key: still one execution, three trades (one per subscriber).
  const rows = await store.db.select().from(executions).where(eq(executions.strategyId, key.strategyId));
  expect(rows).toHaveLength(1);
  const opened = await store.db.select().from(trades).where(eq(trades.executionId, rows[0].id));
  expect(opened).toHaveLength(3);
  expect(await metric(a, "candlecast_executions_total")).toBe(0);
  expect((await checkInvariants(store, scheduled)).problems).toEqual([]);
}, 60_000);

it("SIGTERM: stops taking jobs, lets running executions finish, exits 0; the rest wait in the queue for the next worker", async () => {
  const keys = dueKeys(scenario.strategies, 1, Date.now(), 3);
  const a = start("term-a", {
    options: { concurrency: 2, runConcurrency: 1, missedAfterRealMs: 86_400_000 },
  });
  await a.waitFor((m) => m.type === "ready");
  for (const key of keys) await enqueue(key);
  // Some executions under way.
  await vi.waitFor(
    async () => {
      const rows = await store.db
        .select({ id: executions.id })
        .from(executions)
        .where(eq(executions.closeTime, keys[0].closeTime));
      expect(rows.length).toBeGreaterThan(0);
    },
    { timeout: 10_000, interval: 20 },
  );
  a.child.kill("SIGTERM");
  expect(await a.exited).toBe(0);
  const running = await store.db.select().from(executions).where(eq(executions.status, "RUNNING"));
  expect(running).toEqual([]);

  const b = start("term-b");
  await b.waitFor((m) => m.type === "ready");
  expect((await waitUntilTerminal(store, scheduled, { timeoutMs: 30_000 })).problems).toEqual([]);
}, 60_000);
