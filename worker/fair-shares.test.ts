// Fair shares through startWorker (real sandbox, Postgres queue, Redis): a slow author beside a fast one at one
// close, and author jobs that never wait for another author's job or for a backtest (ADR 175-177).
import { and, eq, inArray } from "drizzle-orm";
import pino from "pino";
import { outboxMessageSchema, type OutboxEvent } from "../db/contracts/events";
import { CHANNELS, QUEUES } from "../db/contracts/queues-and-channels";
import { backtestRequestSchema } from "../db/contracts/validation/backtest";
import { RISK_DEFAULTS_INPUT } from "../db/contracts/validation/risk-settings";
import { createInfra, type Infra } from "../db/infra/index.server";
import { createBacktest } from "../db/store/queries/backtests";
import { executions, trades } from "../db/store/schema";
import {
  createTestStore,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  type TestStore,
} from "../test/support/store";
import { testWorkerConfig } from "../test/support/worker/config";
import { createSharedServices, REDIS_URL, type SharedServices } from "../test/support/worker/processes";
import { BUY_CODE, HOLD_CODE, SLEEP_PAST_LIMIT_CODE, sleepOnceCode } from "../test/support/worker/strategies";
import { latestClose } from "./boundaries";
import { createJobSender } from "./jobs";
import { startWorker, type RunningWorker } from "./main";

const LIVE_LIMIT_MS = 5_000;
const PER_CLOSE_MS = 3_000;

let store: TestStore;
let shared: SharedServices;
let infra: Infra;
let worker: RunningWorker;
let published: OutboxEvent[] = [];

beforeAll(async () => {
  store = await createTestStore();
  shared = await createSharedServices("fair");
  infra = await createInfra({
    redisUrl: REDIS_URL,
    keyPrefix: shared.keyPrefix,
    logger: pino({ level: "silent" }),
  });
  worker = await startWorker({
    config: testWorkerConfig(store.url, { authorTimePerCloseMs: PER_CLOSE_MS }),
    store,
    infra,
    queue: shared.queue,
    logger: pino({ level: "silent" }),
    options: {
      concurrency: 4,
      runConcurrency: 2,
      scheduler: false,
      periodic: false,
      catchUpOnStart: false,
      missedAfterRealMs: 600_000,
    },
  });
  await infra.bus.subscribe(CHANNELS.outbox, (m) => published.push(...outboxMessageSchema.parse(m).events));
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await infra?.close();
  await shared?.cleanup();
  store?.cleanup();
});

beforeEach(() => {
  published = [];
});

const rowsOf = (strategyIds: string[], closeTime: number) =>
  store.db
    .select()
    .from(executions)
    .where(and(inArray(executions.strategyId, strategyIds), eq(executions.closeTime, closeTime)));

it("a fast author's candle runs within about one run's time beside a slow author, whose runs past its time are SKIPPED", async () => {
  const slow = await insertUser(store, "slow-author");
  const fast = await insertUser(store, "fast-author");
  const slowStrategies: string[] = [];
  for (let i = 0; i < 4; i++) {
    const s = await insertStrategy(store, slow.id, { code: SLEEP_PAST_LIMIT_CODE, resolution: "1m" });
    await insertSubscriptions(store, s.id, 2);
    slowStrategies.push(s.id);
  }
  const fastStrategy = await insertStrategy(store, fast.id, { code: BUY_CODE, resolution: "1m" });
  await insertSubscriptions(store, fastStrategy.id, 2);
  const closeTime = latestClose(Date.now(), "1m");
  const job = (strategyId: string) => ({
    strategyId,
    symbol: "BTC/USDT",
    resolution: "1m" as const,
    closeTime,
  });

  // The slow author's four candles take every job loop: two run in the two slots, two wait for one.
  await worker.enqueue(slowStrategies.map(job));
  await vi.waitFor(async () => expect(await rowsOf(slowStrategies, closeTime)).toHaveLength(4), {
    timeout: 10_000,
    interval: 25,
  });
  const started = performance.now();
  await worker.enqueue([job(fastStrategy.id)]);

  await vi.waitFor(
    async () => expect((await rowsOf([fastStrategy.id], closeTime))[0]?.status).toBe("COMPLETED"),
    { timeout: 4 * LIVE_LIMIT_MS, interval: 25 },
  );
  // One slow run's time (the two that hold the slots), not two or three of them.
  expect(performance.now() - started).toBeLessThan(LIVE_LIMIT_MS + 2_500);

  await vi.waitFor(
    async () =>
      expect((await rowsOf(slowStrategies, closeTime)).every((r) => r.status !== "RUNNING")).toBe(true),
    { timeout: 4 * LIVE_LIMIT_MS, interval: 50 },
  );
  const slowRows = await rowsOf(slowStrategies, closeTime);
  const ran = slowRows.filter((r) => r.status === "FAILED");
  const skipped = slowRows.filter((r) => r.status === "SKIPPED");
  // The two runs that started used the author's 3 s; the two that would start after it did not.
  expect(ran.map((r) => r.errorKind)).toEqual(["timeout", "timeout"]);
  expect(skipped).toHaveLength(2);
  for (const row of skipped) {
    expect(row).toMatchObject({
      reason: "author_time_budget",
      errorKind: "author_time_budget",
      subscriberCount: 2,
    });
    expect(row.errorMessage).toMatch(/sandbox time at this candle close.*AUTHOR_TIME_PER_CLOSE_MS/);
    expect(row.runMs).toBeNull();
  }
  // Every follower of a skipped execution has its skipped row and its SKIPPED event.
  const skippedTrades = await store.db
    .select({ status: trades.status, reason: trades.reason })
    .from(trades)
    .where(
      inArray(
        trades.executionId,
        skipped.map((r) => r.id),
      ),
    );
  expect(skippedTrades).toEqual(Array(4).fill({ status: "skipped", reason: "author_time_budget" }));
  await vi.waitFor(() =>
    expect(
      published.filter(
        (e) =>
          e.type === "execution" &&
          (e.payload as { status: string; skipped: { reason: string } | null }).status === "SKIPPED" &&
          (e.payload as { skipped: { reason: string } }).skipped.reason === "author_time_budget",
      ),
    ).toHaveLength(4),
  );
  // The two that waited for a slot while the first two ran are on the wait histogram.
  const waits = /candlecast_run_wait_seconds_count (\d+)/.exec(worker.metrics());
  expect(Number(waits?.[1])).toBeGreaterThanOrEqual(5);
}, 60_000);

/** Sends an author job and resolves with the ms until its result event arrived. */
function timeTo(event: (e: OutboxEvent) => boolean) {
  const started = performance.now();
  return vi
    .waitFor(() => expect(published.some(event)).toBe(true), { timeout: 30_000, interval: 20 })
    .then(() => performance.now() - started);
}
const validationResult = (requestId: string) => (e: OutboxEvent) =>
  e.type === "validation.result" && (e.payload as { requestId: string }).requestId === requestId;

it("author A's slow validations do not delay author B's, and A's second one waits its turn instead of failing", async () => {
  const a = await insertUser(store, "author-a");
  const b = await insertUser(store, "author-b");
  const sender = createJobSender(shared.queue.boss, infra.bus, pino({ level: "silent" }));
  const firstA = await sender.send(QUEUES.validateStrategy, {
    requestId: "a-1",
    userId: a.id,
    code: sleepOnceCode(2.5),
  });
  await vi.waitFor(
    async () =>
      expect((await shared.queue.boss.getJobById(QUEUES.validateStrategy, String(firstA)))?.state).toBe(
        "active",
      ),
    { timeout: 5_000, interval: 25 },
  );
  await sender.send(QUEUES.validateStrategy, { requestId: "a-2", userId: a.id, code: sleepOnceCode(2.5) });
  const bDone = timeTo(validationResult("b-1"));
  await sender.send(QUEUES.validateStrategy, { requestId: "b-1", userId: b.id, code: HOLD_CODE });

  expect(await bDone).toBeLessThan(2_000);
  expect(published.some(validationResult("a-1"))).toBe(false);
  // A's second validation ran after its first (one of an author's validations at a time), and passed.
  await vi.waitFor(() => expect(published.some(validationResult("a-2"))).toBe(true), {
    timeout: 30_000,
    interval: 50,
  });
  const order = published
    .filter((e) => e.type === "validation.result")
    .map((e) => (e.payload as { requestId: string }).requestId);
  expect(order).toEqual(["b-1", "a-1", "a-2"]);
  expect(published.find(validationResult("a-2"))?.payload).toMatchObject({ ok: true });
}, 60_000);

it("a running backtest does not delay a validation", async () => {
  const author = await insertUser(store, "backtester");
  const strategy = await insertStrategy(store, author.id, { code: sleepOnceCode(6), resolution: "1h" });
  const to = latestClose(Date.now(), "1h");
  const request = backtestRequestSchema.parse({
    ...RISK_DEFAULTS_INPUT,
    symbol: "BTC/USDT",
    from: to - 600 * 3_600_000,
    to,
  });
  const created = await createBacktest(store.db, author.id, strategy.id, request, {
    marketSource: "simulated",
  });
  if (!created) throw new Error("backtest not created");
  const sender = createJobSender(shared.queue.boss, infra.bus, pino({ level: "silent" }));
  await sender.send(QUEUES.runBacktest, { backtestId: created.id });
  // The backtest has started; its first chunk's run sleeps 6 s.
  await vi.waitFor(
    () =>
      expect(
        published.some(
          (e) => e.type === "backtest.progress" && (e.payload as { status: string }).status === "running",
        ),
      ).toBe(true),
    { timeout: 10_000, interval: 25 },
  );
  const validated = timeTo(validationResult("v-1"));
  await sender.send(QUEUES.validateStrategy, { requestId: "v-1", userId: author.id, code: HOLD_CODE });
  expect(await validated).toBeLessThan(2_000);
  expect(
    published.some(
      (e) => e.type === "backtest.progress" && (e.payload as { status: string }).status === "completed",
    ),
  ).toBe(false);
}, 60_000);
