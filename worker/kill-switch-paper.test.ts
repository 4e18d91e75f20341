// The close-all job on paper accounts, on the real store and lock: closed at once at the latest stored price
// with exit reason kill_switch; run again while an execution that started before the pause still runs.
import { eq, sql } from "drizzle-orm";
import pino from "pino";
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { outboxMessageSchema, type OutboxEvent } from "../db/contracts/events";
import { createInfra, type Infra } from "../db/infra/index.server";
import { newId } from "../db/platform/ids";
import { insertCandles } from "../db/store/queries/candles";
import { recordExecution } from "../db/store/queries/executions";
import { claimExecution } from "../db/store/queries/leases";
import { subscriptions, trades } from "../db/store/schema";
import {
  createTestStore,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  type TestStore,
} from "../test/support/store";
import { closeTrade, fillExit } from "./brokers/paper";
import { exchangesDisabled } from "./exchange-access";
import { CloseAllRetryError, createKillSwitch, killSwitchLockKey } from "./kill-switch";

const HOUR = 3_600_000;
let store: TestStore;
let infra: Infra;
let published: OutboxEvent[];
let strategy: { id: string; versionId: string };
let user: { id: string; paperBrokerId: string };
let closeTime = 100 * HOUR;

beforeAll(async () => {
  store = await createTestStore();
  infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  await infra.bus.subscribe(CHANNELS.outbox, (m) => published.push(...outboxMessageSchema.parse(m).events));
  const author = await insertUser(store, "author");
  strategy = await insertStrategy(store, author.id, { resolution: "1h" });
  user = await insertUser(store, "trader");
  await insertCandles(store.db, { source: "simulated", symbol: "BTC/USDT", resolution: "1h" }, [
    { time: 98 * HOUR, open: 100, high: 101, low: 99, close: 100, volume: 1, filled: false },
    { time: 99 * HOUR, open: 100, high: 121, low: 99, close: 120, volume: 1, filled: false },
  ]);
});
beforeEach(() => {
  published = [];
});
afterAll(async () => {
  await infra.close();
  store.cleanup();
});

const killSwitch = createKillSwitch({
  get db() {
    return store.db;
  },
  get lock() {
    return infra.lock;
  },
  get bus() {
    return infra.bus;
  },
  exchange: exchangesDisabled,
  clock: { now: () => 101 * HOUR },
  logger: pino({ level: "silent" }),
});

async function subscription() {
  const [sub] = await insertSubscriptions(store, strategy.id, 1, {
    userId: user.id,
    brokerAccountId: user.paperBrokerId,
  });
  return sub.id;
}

/** An execution of the next close opening a LONG 1 BTC at 100 (fee 0.1) for the subscription. */
async function openTrade(subscriptionId: string, executionId = newId()) {
  const tradeId = newId();
  const recorded = await recordExecution(store.db, {
    execution: {
      id: executionId,
      strategyId: strategy.id,
      versionId: strategy.versionId,
      symbol: "BTC/USDT",
      resolution: "1h",
      closeTime: (closeTime += HOUR),
      status: "COMPLETED",
      subscriberCount: 1,
      startedAt: 1,
      finishedAt: 2,
    },
    trades: [
      {
        id: tradeId,
        subscriptionId,
        userId: user.id,
        symbol: "BTC/USDT",
        status: "open",
        side: "LONG",
        quantity: 1,
        entryPrice: 100,
        entryFee: 0.1,
      },
    ],
  });
  expect(recorded.status).toBe("recorded");
  return tradeId;
}

const job = (subscriptionIds: string[], pausedAt = Date.now()) => ({
  requestId: newId(),
  userId: user.id,
  brokerAccountId: user.paperBrokerId,
  subscriptionIds,
  pausedAt,
});
const tradeOf = async (id: string) => (await store.db.select().from(trades).where(eq(trades.id, id)))[0];

it("closes paper trades at once at the latest stored close, slipped, with exit reason kill_switch; once", async () => {
  const subId = await subscription();
  const tradeId = await openTrade(subId);
  const payload = job([subId]);
  expect(await killSwitch(payload)).toEqual({ closed: 1, exitOrders: 0 });

  const expected = closeTrade(
    { side: "LONG", quantity: 1, entryPrice: 100, entryFee: 0.1 },
    fillExit("LONG", 120),
    "kill_switch",
  );
  const trade = await tradeOf(tradeId);
  expect(trade).toMatchObject({
    status: "closed",
    exitReason: "kill_switch",
    exitPrice: expected.exitPrice,
    closedAt: 101 * HOUR,
  });
  expect(trade.pnl).toBeCloseTo(expected.pnl, 12);
  const [figures] = await store.db.select().from(subscriptions).where(eq(subscriptions.id, subId));
  expect(figures).toMatchObject({ wins: 1, losses: 0, pnlDayStart: 96 * HOUR });
  expect(figures.totalPnl).toBeCloseTo(expected.pnl, 12);
  expect(figures.pnlToday).toBeCloseTo(expected.pnl, 12);
  expect(published.map((e) => [e.type, e.payload])).toEqual([
    [
      "trade.closed",
      {
        subscriptionId: subId,
        tradeId,
        exitPrice: expected.exitPrice,
        pnl: trade.pnl,
        exitReason: "kill_switch",
      },
    ],
  ]);

  // Again (a retried job): nothing is open, nothing changes.
  expect(await killSwitch(payload)).toEqual({ closed: 0, exitOrders: 0 });
  expect(await tradeOf(tradeId)).toEqual(trade);
  const [again] = await store.db.select().from(subscriptions).where(eq(subscriptions.id, subId));
  expect(again).toEqual(figures);
});

it("runs again while an execution that started before the pause still runs, then closes what it opened", async () => {
  const subId = await subscription();
  const first = await openTrade(subId);
  const running = newId();
  const key = {
    strategyId: strategy.id,
    versionId: strategy.versionId,
    symbol: "BTC/USDT",
    resolution: "1h",
    closeTime: (closeTime += HOUR),
  };
  expect(
    await claimExecution(store.db, {
      ...key,
      id: running,
      startedAt: Date.now(),
      workerId: "w",
      leaseMs: 60_000,
    }),
  ).toBe(true);
  const payload = job([subId], Date.now() + 1);
  await expect(killSwitch(payload)).rejects.toThrow(CloseAllRetryError);
  expect(await tradeOf(first)).toMatchObject({ status: "closed", exitReason: "kill_switch" });

  // That execution had read the subscription as active: its trade is committed after the close-all.
  closeTime -= HOUR;
  const second = await openTrade(subId, running);
  expect(await killSwitch(payload)).toEqual({ closed: 1, exitOrders: 0 });
  expect(await tradeOf(second)).toMatchObject({ status: "closed", exitReason: "kill_switch" });
  const [{ open }] = await store.db.all<{ open: number }>(
    sql`SELECT count(*) AS open FROM trades WHERE subscription_id = ${subId} AND status = 'open'`,
  );
  expect(open).toBe(0);
});

it("waits for the account's lock: another worker closing it makes the job run again, closing nothing now", async () => {
  const subId = await subscription();
  const tradeId = await openTrade(subId);
  const held = await infra.lock.acquire(killSwitchLockKey(user.paperBrokerId), 10_000);
  try {
    await expect(killSwitch(job([subId]))).rejects.toThrow(CloseAllRetryError);
    expect(await tradeOf(tradeId)).toMatchObject({ status: "open" });
  } finally {
    await held!.release();
  }
  expect(await killSwitch(job([subId]))).toEqual({ closed: 1, exitOrders: 0 });
});

it("drops a job whose payload is not a close-all request, changing nothing", async () => {
  expect(await killSwitch({ subscriptionIds: "all" })).toBeNull();
});
