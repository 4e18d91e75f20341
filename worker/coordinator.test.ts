// The coordinator on a real store, in-process lock/cache/bus and the real sandbox: each outcome of one candle job.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { eq } from "drizzle-orm";
import pino from "pino";
import { executionLockKey, strategySettingsKey } from "../db/contracts/cache-keys";
import { latestClose } from "./boundaries";
import { executionEventSchema, outboxMessageSchema, type OutboxEvent } from "../db/contracts/events";
import type { Cache } from "../db/infra/cache";
import { createInfra, type Infra } from "../db/infra/index.server";
import { createBrokerAccount } from "../db/store/queries/broker-accounts";
import { executions, strategies, subscriptions, trades } from "../db/store/schema";
import {
  createTestStore,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  type TestStore,
} from "../test/support/store";
import type { CandleJob } from "./candle-jobs";
import { createCoordinator, type CoordinatorDeps } from "./coordinator";
import { createExchangeAccess, exchangesDisabled } from "./exchange-access";
import { simulatedUpstream } from "./market-data/simulated-feed";
import { createStoredFeed } from "./market-data/stored-feed";
import { createWorkerMetrics } from "./metrics";
import { createStrategyRunner, type StrategyRunner } from "./runtime";
import { BUY_CODE, CRASH_CODE, ENTER_EXIT_CODE, HOLD_CODE } from "../test/support/worker/strategies";

let store: TestStore;
let infra: Infra;
let runner: StrategyRunner;
let published: OutboxEvent[];
let author: { id: string };
let slug = 0;

beforeAll(async () => {
  store = await createTestStore();
  infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  runner = createStrategyRunner({ python: "/usr/bin/python3", sandbox: "bwrap", maxConcurrent: 2 });
  author = await insertUser(store, "author");
  await infra.bus.subscribe(CHANNELS.outbox, (m) => published.push(...outboxMessageSchema.parse(m).events));
});
afterAll(async () => {
  await infra.close();
  store.cleanup();
});
beforeEach(() => {
  published = [];
});

const now = Date.now();
const close = latestClose(now, "1m");

function coordinator(over: Partial<CoordinatorDeps> = {}) {
  const metrics = createWorkerMetrics();
  return {
    metrics,
    ...createCoordinator({
      db: store.db,
      cache: infra.cache,
      lock: infra.lock,
      bus: infra.bus,
      marketData: createStoredFeed({ db: store.db, lock: infra.lock, upstream: simulatedUpstream }),
      runner,
      clock: { now: () => now },
      workerId: "test",
      logger: pino({ level: "silent" }),
      metrics,
      exchange: exchangesDisabled,
      missedAfterMs: 30_000,
      ...over,
    }),
  };
}

async function strategyWith(code: string, subscribers: number) {
  const s = await insertStrategy(store, author.id, { code, slug: `co-${slug++}-${process.pid}` });
  const subs = await insertSubscriptions(store, s.id, subscribers);
  const job: CandleJob = { strategyId: s.id, symbol: "BTC/USDT", resolution: "1m", closeTime: close };
  return { s, subs, job };
}

const KEY = Buffer.alloc(32, 5).toString("base64");

describe("coordinator", () => {
  it("HOLD: one COMPLETED execution, no trade rows, one live event per subscriber", async () => {
    const { s, subs, job } = await strategyWith(HOLD_CODE, 3);
    const c = coordinator();
    expect(await c.executeCandle(job)).toMatchObject({ status: "executed", signal: "HOLD", opened: 0 });
    const [row] = await store.db.select().from(executions).where(eq(executions.strategyId, s.id));
    expect(row).toMatchObject({
      status: "COMPLETED",
      signal: "HOLD",
      subscriberCount: 3,
      tradesCreated: 0,
      versionId: s.versionId,
    });
    expect(row.price).toBeGreaterThan(0);
    expect(await store.db.select().from(trades).where(eq(trades.executionId, row.id))).toEqual([]);
    await vi.waitFor(() => expect(published).toHaveLength(subs.length));
    expect(published.map((e) => e.userId).sort()).toEqual(subs.map((x) => x.userId).sort());
    for (const e of published)
      expect(executionEventSchema.parse(e.payload)).toMatchObject({ executionId: row.id, signal: "HOLD" });
    // The settings went through the cache (cache-aside): the next execution reads them there.
    expect(await infra.cache.get(strategySettingsKey(s.id))).not.toBeNull();
  });

  it("a job whose execution is already terminal completes without doing anything twice", async () => {
    const { s, job } = await strategyWith(BUY_CODE, 2);
    const c = coordinator();
    expect((await c.executeCandle(job)).status).toBe("executed");
    expect(await c.executeCandle(job)).toEqual({ status: "already_done", existingStatus: "COMPLETED" });
    const opened = await store.db.select().from(trades).where(eq(trades.strategyId, s.id));
    expect(opened).toHaveLength(2);
    expect(c.metrics.candleJobs.get({ outcome: "already_done" })).toBe(1);
  });

  it("closing trades refreshes the strategy's cached marketplace figures", async () => {
    const { s, job } = await strategyWith(ENTER_EXIT_CODE, 2);
    // ENTER_EXIT buys on candles with an even open minute and closes on the next one.
    const buyClose = (Math.floor(close / 120_000) - 1) * 120_000 + 60_000;
    const at = (closeTime: number) => coordinator({ clock: { now: () => closeTime + 1000 } });
    expect(await at(buyClose).executeCandle({ ...job, closeTime: buyClose })).toMatchObject({ opened: 2 });
    const exit = await at(buyClose + 60_000).executeCandle({ ...job, closeTime: buyClose + 60_000 });
    expect(exit).toMatchObject({ status: "executed", signal: "CLOSE", closed: 2 });
    const [card] = await store.db.select().from(strategies).where(eq(strategies.id, s.id));
    expect(card.tradesCount).toBeGreaterThan(0);
    expect(card.winRate).not.toBeNull();
    expect(card.sparkline.length).toBeGreaterThanOrEqual(2);
  });

  it("a held lock means someone else is on it: the job completes doing nothing", async () => {
    const { s, job } = await strategyWith(BUY_CODE, 1);
    const held = await infra.lock.acquire(executionLockKey(job), 10_000);
    const c = coordinator();
    expect(await c.executeCandle(job)).toEqual({ status: "locked" });
    expect(await store.db.select().from(executions).where(eq(executions.strategyId, s.id))).toEqual([]);
    expect(c.metrics.lockContention.get()).toBe(1);
    await held!.release();
  });

  it("a lock lost before the claim stops the work: nothing is written", async () => {
    const { s, job } = await strategyWith(BUY_CODE, 2);
    let lostExtend!: () => void;
    const extendRefused = new Promise<void>((resolve) => (lostExtend = resolve));
    const losingLock: CoordinatorDeps["lock"] = {
      acquire: async (key, ttlMs) => {
        const handle = await infra.lock.acquire(key, ttlMs);
        if (!handle) return null;
        return {
          ...handle,
          extend: async () => {
            // Resolve once the keeper has seen the refusal (after this promise's own continuation).
            setImmediate(lostExtend);
            return false;
          },
        };
      },
    };
    const c = coordinator({
      lock: losingLock,
      lockTtlMs: 30,
      onStep: async (step) => {
        if (step === "locked") await extendRefused;
      },
    });
    expect(await c.executeCandle(job)).toEqual({ status: "lock_lost" });
    expect(await store.db.select().from(executions).where(eq(executions.strategyId, s.id))).toEqual([]);
    expect(await infra.lock.acquire(executionLockKey(job), 1_000)).not.toBeNull();
  });

  it("a strategy error ends as a FAILED execution with its kind, message and log, and tells every subscriber", async () => {
    const { s, subs, job } = await strategyWith(CRASH_CODE, 2);
    const outcome = await coordinator().executeCandle(job);
    expect(outcome).toMatchObject({ status: "failed", errorKind: "runtime" });
    const [row] = await store.db.select().from(executions).where(eq(executions.strategyId, s.id));
    expect(row).toMatchObject({ status: "FAILED", errorKind: "runtime", tradesCreated: 0 });
    expect(row.errorMessage).toMatch(/fixture failure/);
    expect(row.log).toMatch(/about to fail/);
    await vi.waitFor(() => expect(published).toHaveLength(subs.length));
    const events = published.map((e) => executionEventSchema.parse(e.payload));
    expect(events).toHaveLength(subs.length);
    expect(events.every((e) => e.status === "FAILED" && e.skipped?.reason === "strategy_error")).toBe(true);
    // The same audit trail as a follower of one failed version among others (ADR 170).
    const rows = await store.db.select().from(trades).where(eq(trades.strategyId, s.id));
    expect(rows.map((t) => [t.subscriptionId, t.status, t.reason]).sort()).toEqual(
      subs.map((sub) => [sub.id, "skipped", "strategy_error"]).sort(),
    );
  });

  it("a close older than the grace with a newer one due is recorded missed, not run", async () => {
    const { s, job } = await strategyWith(BUY_CODE, 1);
    const stale = { ...job, closeTime: close - 5 * 60_000 };
    expect(await coordinator().executeCandle(stale)).toEqual({ status: "skipped", reason: "missed" });
    const [row] = await store.db.select().from(executions).where(eq(executions.strategyId, s.id));
    expect(row).toMatchObject({ status: "SKIPPED", reason: "missed", closeTime: stale.closeTime });
  });

  it("on the simulated market an exchange subscription gets no order: a skipped trade with the reason", async () => {
    const { s, subs, job } = await strategyWith(BUY_CODE, 2);
    const account = await createBrokerAccount(
      store.db,
      subs[0].userId,
      {
        kind: "exchange",
        name: "Binance",
        exchange: "binance",
        apiKey: "key-12345678",
        secret: "secret-12345678",
        testnet: true,
      },
      KEY,
    );
    await store.db
      .update(subscriptions)
      .set({ brokerAccountId: account.id })
      .where(eq(subscriptions.id, subs[0].id));
    const built: string[] = [];
    const exchange = createExchangeAccess({
      db: store.db,
      encryptionKey: KEY,
      buildBroker: (o) => {
        built.push(o.exchangeId);
        throw new Error("no exchange client may be built for simulated prices");
      },
    });
    expect(await coordinator({ exchange }).executeCandle(job)).toMatchObject({
      status: "executed",
      signal: "BUY",
    });
    const rows = await store.db.select().from(trades).where(eq(trades.strategyId, s.id));
    expect(rows.find((t) => t.subscriptionId === subs[0].id)).toMatchObject({
      status: "skipped",
      reason: "simulated_market",
    });
    await vi.waitFor(() =>
      expect(published.map((e) => executionEventSchema.parse(e.payload).skipped)).toContainEqual({
        reason: "simulated_market",
        detail: "No exchange order: this candle's prices come from the simulated market.",
      }),
    );
    expect(rows.find((t) => t.subscriptionId === subs[1].id)).toMatchObject({ status: "open" });
    expect(built).toEqual([]);
  });

  it("no active subscription left: SKIPPED with the reason", async () => {
    const { s, job } = await strategyWith(BUY_CODE, 0);
    expect(await coordinator().executeCandle(job)).toEqual({
      status: "skipped",
      reason: "no_active_subscriptions",
    });
    const [row] = await store.db.select().from(executions).where(eq(executions.strategyId, s.id));
    expect(row).toMatchObject({ status: "SKIPPED", reason: "no_active_subscriptions" });
  });

  it("a broken cache costs a store read, never the execution", async () => {
    const { job } = await strategyWith(BUY_CODE, 1);
    const broken: Cache = new Proxy(infra.cache, {
      get: (target, prop) =>
        prop === "getJson" || prop === "setJson"
          ? () => Promise.reject(new Error("cache down"))
          : Reflect.get(target, prop),
    });
    expect((await coordinator({ cache: broken }).executeCandle(job)).status).toBe("executed");
  });
});
