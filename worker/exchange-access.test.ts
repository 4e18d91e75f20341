// Exchange accounts in the coordinator's terms: decrypted credentials build the client, fills and rejections land on the trade.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { and, eq, inArray } from "drizzle-orm";
import pino from "pino";
import { outboxMessageSchema, type OutboxEvent } from "../db/contracts/events";
import { createInfra, type Infra } from "../db/infra/index.server";
import { recordExecution } from "../db/store/queries/executions";
import { listOpenTradesOfStrategy } from "../db/store/queries/fan-out";
import { recordCloseAll } from "../db/store/queries/kill-switch";
import { newId } from "../db/platform/ids";
import { orderFills, orders, subscriptions, trades } from "../db/store/schema";
import {
  createTestStore,
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  recordOpenExchangeTrades,
  type TestStore,
} from "../test/support/store";
import type { ExchangeBroker, ProtectionRequest } from "./brokers/exchange.server";
import type { MarketOrder, OrderResult } from "./brokers/broker";
import { createExchangeAccess, ORDER_TIMING } from "./exchange-access";

const KEY = Buffer.alloc(32, 3).toString("base64");
let store: TestStore;
let infra: Infra;
let published: OutboxEvent[];
beforeAll(async () => {
  store = await createTestStore();
  infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  await infra.bus.subscribe(CHANNELS.outbox, (m) => published.push(...outboxMessageSchema.parse(m).events));
});
beforeEach(() => {
  published = [];
});
afterAll(async () => {
  await infra.close();
  store.cleanup();
});

/**
 * An exchange client standing in for ccxt (the ccxt side is tested against Binance's shapes in
 * brokers/exchange.server.test.ts): it answers each order with `answer` and a look-up with `found`.
 */
function fakeExchange(
  answer: (o: MarketOrder) => OrderResult,
  found: (clientOrderId: string) => OrderResult | null = () => null,
) {
  const built: { exchangeId: string; apiKey: string; secret: string; sandbox: boolean }[] = [];
  const orders: MarketOrder[] = [];
  const lookups: string[] = [];
  const pairs: ProtectionRequest[] = [];
  const cancels: string[] = [];
  const broker: ExchangeBroker = {
    loadLimits: async () => ({ minQuantity: 0.001, quantityStep: 0.001 }),
    placeMarketOrder: async (o) => (orders.push(o), answer(o)),
    findOrder: async (o) => (lookups.push(o.clientOrderId), found(o.clientOrderId)),
    fetchBalances: async () => ({}),
    // A pair rests, each leg under an exchange id of its own.
    placeProtection: async (p) => (
      pairs.push(p),
      {
        stop: { status: "open", exchangeOrderId: `x-${p.stop.clientOrderId}` },
        takeProfit: { status: "open", exchangeOrderId: `x-${p.takeProfit.clientOrderId}` },
      }
    ),
    cancelOrder: async (o) => (cancels.push(o.clientOrderId), false),
  };
  return {
    built,
    orders,
    lookups,
    pairs,
    cancels,
    buildBroker: (o: (typeof built)[number]) => (built.push(o), broker),
  };
}

async function exchangeTrade() {
  const user = await insertUser(store, "trader");
  const account = await insertExchangeAccount(store, user.id, KEY);
  const author = await insertUser(store, "author");
  const s = await insertStrategy(store, author.id, { slug: `ex-${newId().slice(-8)}` });
  const [sub] = await insertSubscriptions(store, s.id, 1, { userId: user.id, brokerAccountId: account.id });
  const {
    executionId,
    tradeIds: [tradeId],
  } = await recordOpenExchangeTrades(store, { strategyId: s.id, versionId: s.versionId }, [
    {
      subscriptionId: sub.id,
      userId: user.id,
      brokerAccountId: account.id,
      clientOrderId: entryOrder.clientOrderId,
    },
  ]);
  return {
    accountId: account.id,
    subId: sub.id,
    tradeId,
    executionId,
    strategyId: s.id,
    versionId: s.versionId,
  };
}

const entryOrder = {
  leg: "open" as const,
  clientOrderId: "cc0123",
  symbol: "BTC/USDT",
  side: "buy" as const,
  quantity: 0.01,
  referencePrice: 100,
};

/** Closes the trade at the candle's reference price (110: a win of 0.1 - 0.01 fee), as the coordinator records it. */
async function closeAtReference(t: Awaited<ReturnType<typeof exchangeTrade>>, entry = "filled" as const) {
  await store.db
    .update(orders)
    .set({ state: entry })
    .where(and(eq(orders.tradeId, t.tradeId), eq(orders.leg, "open"), eq(orders.state, "pending")));
  const executionId = newId();
  const result = await recordExecution(store.db, {
    execution: {
      id: executionId,
      strategyId: t.strategyId,
      versionId: t.versionId,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime: 120_000,
      status: "COMPLETED",
      subscriberCount: 1,
      startedAt: 3,
      finishedAt: 4,
    },
    closes: [{ tradeId: t.tradeId, exitPrice: 110, exitFee: 0.01, pnl: 0.09, exitReason: "signal" }],
    orders: [
      {
        ...entryOrder,
        id: newId(),
        leg: "close",
        side: "sell",
        clientOrderId: `cc-close-${executionId.slice(-8)}`,
        tradeId: t.tradeId,
        brokerAccountId: t.accountId,
      },
    ],
  });
  return { executionId, ordersCreated: result.status === "recorded" ? result.ordersCreated : 0 };
}

/** The exchange access under test, on the test store and bus, building its clients with `buildBroker`. */
const accessVia = (buildBroker: ReturnType<typeof fakeExchange>["buildBroker"]) =>
  createExchangeAccess({ db: store.db, bus: infra.bus, encryptionKey: KEY, buildBroker });

it("decrypts the account's keys to build the client, and records the exchange's fill on the trade", async () => {
  const { accountId, tradeId, executionId } = await exchangeTrade();
  const fake = fakeExchange(() => ({
    status: "filled",
    fillPrice: 101.5,
    filledQuantity: 0.01,
    fee: 0.02,
    exchangeOrderId: "x1",
  }));
  const access = accessVia(fake.buildBroker);
  expect(await access.prepare(accountId, "BTC/USDT")).toEqual({
    limits: { minQuantity: 0.001, quantityStep: 0.001 },
  });
  expect(fake.built).toEqual([
    {
      exchangeId: "binance",
      apiKey: "key-12345678",
      secret: "secret-12345678",
      sandbox: true,
      timeoutMs: 10_000,
      lookupAttempts: 3,
      lookupBackoffMs: 1_000,
      rateLimit: false,
    },
  ]);
  await access.sendOrders(executionId, pino({ level: "silent" }));
  const [t] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
  expect(t).toMatchObject({ status: "open", entryPrice: 101.5, entryFee: 0.02 });
  expect(await orderOf(tradeId)).toMatchObject({
    state: "filled",
    averagePrice: 101.5,
    exchangeOrderId: "x1",
  });
  expect(fake.orders[0].clientOrderId).toBe("cc0123");
  // The subscriber's live page hears of it (the row is in the outbox too, for replay).
  expect(published).toEqual([
    expect.objectContaining({
      type: "trade.filled",
      userId: t.userId,
      payload: {
        subscriptionId: t.subscriptionId,
        tradeId,
        leg: "entry",
        status: "filled",
        price: 101.5,
        fee: 0.02,
        pnl: null,
        reason: null,
      },
    }),
  ]);
});

it("a rejected order marks the trade rejected and takes it out of the subscription's count", async () => {
  const { subId, tradeId, executionId } = await exchangeTrade();
  const fake = fakeExchange(() => ({ status: "rejected", reason: "insufficient balance" }));
  const access = accessVia(fake.buildBroker);
  await access.sendOrders(executionId, pino({ level: "silent" }));
  expect(await orderOf(tradeId)).toMatchObject({ state: "rejected", reason: "insufficient balance" });
  const [t] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
  expect(t).toMatchObject({ status: "rejected", reason: "insufficient balance" });
  expect(published.map((e) => e.payload)).toMatchObject([
    { tradeId, leg: "entry", status: "rejected", reason: "insufficient balance" },
  ]);
  const [s] = await store.db.select().from(subscriptions).where(eq(subscriptions.id, subId));
  expect(s.tradesCount).toBe(0);
});

it("an account whose keys cannot be decrypted cannot trade, with the reason", async () => {
  const { accountId } = await exchangeTrade();
  const access = createExchangeAccess({
    db: store.db,
    encryptionKey: Buffer.alloc(32, 9).toString("base64"),
    buildBroker: fakeExchange(() => ({ status: "unknown", reason: "" })).buildBroker,
  });
  const answer = await access.prepare(accountId, "BTC/USDT");
  expect("unavailable" in answer && answer.unavailable).toMatch(/could not be decrypted/);
});

describe("a closing order's fill replaces the reference exit", () => {
  const filledAt = (fillPrice: number, filledQuantity = 0.01) =>
    fakeExchange(() => ({ status: "filled", fillPrice, filledQuantity, fee: 0.03, exchangeOrderId: "x2" }));
  const subscriptionOf = async (id: string) =>
    (await store.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0];

  it("moves the trade's P&L and the subscription's totals by the difference", async () => {
    const t = await exchangeTrade();
    const close = await closeAtReference(t);
    expect(await subscriptionOf(t.subId)).toMatchObject({ wins: 1, losses: 0, totalPnl: 0.09 });
    const fake = filledAt(108);
    const access = accessVia(fake.buildBroker);
    await access.sendOrders(close.executionId, pino({ level: "silent" }));
    const [trade] = await store.db.select().from(trades).where(eq(trades.id, t.tradeId));
    // (108 - 100) x 0.01 - 0 entry fee - 0.03 exit fee
    expect(trade).toMatchObject({ status: "closed", exitPrice: 108, exitFee: 0.03 });
    expect(trade.pnl).toBeCloseTo(0.05, 12);
    const sub = await subscriptionOf(t.subId);
    expect(sub).toMatchObject({ wins: 1, losses: 0 });
    expect(sub.totalPnl).toBeCloseTo(0.05, 12);
    expect(sub.pnlToday).toBeCloseTo(0.05, 12);
    expect(published.map((e) => [e.type, e.payload])).toMatchObject([
      ["trade.filled", { tradeId: t.tradeId, leg: "exit", status: "filled", price: 108, fee: 0.03 }],
    ]);
  });

  it("turns a win into a loss when the fill is worse than the entry", async () => {
    const t = await exchangeTrade();
    const close = await closeAtReference(t);
    const access = accessVia(filledAt(99).buildBroker);
    await access.sendOrders(close.executionId, pino({ level: "silent" }));
    const sub = await subscriptionOf(t.subId);
    expect(sub).toMatchObject({ wins: 0, losses: 1 });
    expect(sub.totalPnl).toBeCloseTo(-0.04, 12);
  });

  it("a close that lost its race commits no exit order", async () => {
    const t = await exchangeTrade();
    expect((await closeAtReference(t)).ordersCreated).toBe(1);
    // A second close of the same trade (another execution raced it) changes nothing and sends nothing.
    expect((await closeAtReference(t)).ordersCreated).toBe(0);
  });
});

/** Each test reconciles only its own orders: earlier tests' leftovers are closed off. */
const closeOffLeftovers = async () => {
  await store.db
    .update(orders)
    .set({ state: "cancelled" })
    .where(inArray(orders.state, ["pending", "sent", "unknown", "open", "partially_filled"]));
};
const orderOf = async (tradeId: string) =>
  (await store.db.select().from(orders).where(eq(orders.tradeId, tradeId)))[0];
const silent = pino({ level: "silent" });

describe("exactly once: an order is sent once, an ambiguous one is looked up, a lost one decided", () => {
  beforeEach(closeOffLeftovers);

  it("two senders of one execution's orders send each once", async () => {
    const { executionId } = await exchangeTrade();
    const fake = fakeExchange(() => ({ status: "filled", fillPrice: 100, filledQuantity: 0.01, fee: 0 }));
    const access = accessVia(fake.buildBroker);
    await Promise.all([access.sendOrders(executionId, silent), access.sendOrders(executionId, silent)]);
    expect(fake.orders).toHaveLength(1);
  });

  it("an ambiguous answer leaves it unknown, never re-sent; the reconciliation finds it filled", async () => {
    const { tradeId, executionId } = await exchangeTrade();
    const filled = {
      status: "filled" as const,
      fillPrice: 102,
      filledQuantity: 0.01,
      fee: 0.01,
      exchangeOrderId: "x9",
    };
    const fake = fakeExchange(
      () => ({ status: "unknown", reason: "ETIMEDOUT" }),
      () => filled,
    );
    const access = accessVia(fake.buildBroker);
    await access.sendOrders(executionId, silent);
    expect(await orderOf(tradeId)).toMatchObject({ state: "unknown", reason: "ETIMEDOUT" });
    await access.sendOrders(executionId, silent);
    expect(fake.orders).toHaveLength(1);
    expect(await access.reconcile(silent)).toEqual({ filled: 1 });
    expect(fake.lookups).toEqual(["cc0123"]);
    expect(await orderOf(tradeId)).toMatchObject({
      state: "filled",
      averagePrice: 102,
      exchangeOrderId: "x9",
    });
    const [t] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
    expect(t).toMatchObject({ status: "open", entryPrice: 102, entryFee: 0.01 });
  });

  it("an unknown order the exchange does not have is void, its trade taken out and the subscriber told", async () => {
    const { tradeId, subId, executionId } = await exchangeTrade();
    const fake = fakeExchange(() => ({ status: "unknown", reason: "ECONNRESET" }));
    const access = accessVia(fake.buildBroker);
    await access.sendOrders(executionId, silent);
    published = [];
    expect(await access.reconcile(silent)).toEqual({ void: 1 });
    expect(await orderOf(tradeId)).toMatchObject({
      state: "void",
      reason: expect.stringMatching(/has no order cc0123/),
    });
    const [t] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
    expect(t.status).toBe("rejected");
    const [s] = await store.db.select().from(subscriptions).where(eq(subscriptions.id, subId));
    expect(s.tradesCount).toBe(0);
    expect(published.map((e) => e.payload)).toMatchObject([{ tradeId, status: "rejected" }]);
    expect(fake.orders).toHaveLength(1);
  });

  it("a pending order its sender never sent: sent late while fresh, void once stale", async () => {
    const fresh = await exchangeTrade();
    const stale = await exchangeTrade();
    const committed = (await orderOf(fresh.tradeId)).createdAt;
    // The stale one was committed a minute before the fresh one.
    await store.db
      .update(orders)
      .set({ createdAt: committed - 60_000 })
      .where(eq(orders.tradeId, stale.tradeId));
    const fake = fakeExchange(() => ({ status: "filled", fillPrice: 100, filledQuantity: 0.01, fee: 0 }));
    const access = accessVia(fake.buildBroker);
    // Within the grace its sender may still be on it: nothing is decided.
    expect(await access.reconcile(silent, committed + 1_000)).toEqual({ void: 1 });
    expect(await access.reconcile(silent, committed + 6_000)).toEqual({ sent_late: 1 });
    expect(fake.orders).toHaveLength(1);
    expect(await orderOf(fresh.tradeId)).toMatchObject({ state: "filled" });
    expect(await orderOf(stale.tradeId)).toMatchObject({
      state: "void",
      reason: expect.stringMatching(/Never sent: .* the signal is \d+ s old/),
    });
  });
});

describe("an exit follows its entry: sent once the entry filled, undone when either never filled", () => {
  beforeEach(closeOffLeftovers);
  const subscriptionOf = async (id: string) =>
    (await store.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0];
  const tradeOf = async (id: string) => (await store.db.select().from(trades).where(eq(trades.id, id)))[0];
  const closeOrderOf = async (tradeId: string) =>
    (
      await store.db
        .select()
        .from(orders)
        .where(and(eq(orders.tradeId, tradeId), eq(orders.leg, "close")))
    )[0];

  it("an exit whose entry is still undecided waits; once the entry fills it is sent", async () => {
    const t = await exchangeTrade();
    const close = await closeAtReference(t, "unknown" as "filled");
    const fake = fakeExchange(
      () => ({ status: "filled", fillPrice: 108, filledQuantity: 0.01, fee: 0.03, exchangeOrderId: "x3" }),
      () => ({ status: "filled", fillPrice: 101, filledQuantity: 0.01, fee: 0.01, exchangeOrderId: "x1" }),
    );
    const access = accessVia(fake.buildBroker);
    await access.sendOrders(close.executionId, silent);
    expect(fake.orders).toEqual([]);
    expect(await closeOrderOf(t.tradeId)).toMatchObject({ state: "pending" });
    // The reconciliation finds the entry filled (the closed trade is repriced), then sends the exit
    // (the fixture commits at t = 2 and 4 ms: 10 s later both are past the grace and still fresh).
    const later = 10_000;
    expect(await access.reconcile(silent, later)).toEqual({ filled: 1, sent_late: 1 });
    expect(fake.orders.map((o) => o.side)).toEqual(["sell"]);
    const trade = await tradeOf(t.tradeId);
    expect(trade).toMatchObject({ status: "closed", entryPrice: 101, exitPrice: 108 });
    // (108 - 101) x 0.01 - 0.01 - 0.03
    expect(trade.pnl).toBeCloseTo(0.03, 12);
    expect((await subscriptionOf(t.subId)).totalPnl).toBeCloseTo(0.03, 12);
  });

  it("a kill-switch exit is sent however late; a signal's exit as late is void", async () => {
    const signal = await exchangeTrade();
    await closeAtReference(signal);
    const killed = await exchangeTrade();
    await store.db
      .update(orders)
      .set({ state: "filled" })
      .where(and(eq(orders.tradeId, killed.tradeId), eq(orders.leg, "open")));
    const runId = newId();
    await recordCloseAll(store.db, {
      runId,
      closedAt: Date.now(),
      closes: [
        { tradeId: killed.tradeId, subscriptionId: killed.subId, exitPrice: 110, exitFee: 0.01, pnl: 0.09 },
      ],
      orders: [
        {
          ...entryOrder,
          id: newId(),
          leg: "close",
          side: "sell",
          clientOrderId: `cc-kill-${runId.slice(-8)}`,
          tradeId: killed.tradeId,
          brokerAccountId: killed.accountId,
        },
      ],
    });
    const fake = fakeExchange(() => ({
      status: "filled",
      fillPrice: 108,
      filledQuantity: 0.01,
      fee: 0.03,
      exchangeOrderId: "x9",
    }));
    const access = accessVia(fake.buildBroker);
    // Ten minutes on: far past the freshness window of a signal's market order.
    expect(await access.reconcile(silent, Date.now() + 600_000)).toEqual({ void: 1, sent_late: 1 });
    expect(await closeOrderOf(signal.tradeId)).toMatchObject({ state: "void" });
    expect(await closeOrderOf(killed.tradeId)).toMatchObject({ state: "filled" });
    expect(await tradeOf(killed.tradeId)).toMatchObject({
      status: "closed",
      exitReason: "kill_switch",
      exitPrice: 108,
    });
  });

  it("an entry that never arrived voids its exit unsent and takes the closed trade and its P&L out", async () => {
    const t = await exchangeTrade();
    const close = await closeAtReference(t, "unknown" as "filled");
    expect(await subscriptionOf(t.subId)).toMatchObject({ tradesCount: 1, wins: 1 });
    const fake = fakeExchange(() => ({ status: "filled", fillPrice: 1, filledQuantity: 0.01, fee: 0 }));
    const access = accessVia(fake.buildBroker);
    expect(await access.reconcile(silent, 10_000)).toEqual({ void: 2 });
    expect(fake.orders).toEqual([]);
    expect(await closeOrderOf(t.tradeId)).toMatchObject({
      state: "void",
      reason: "Nothing to close: the entry order ended void.",
    });
    expect(await tradeOf(t.tradeId)).toMatchObject({ status: "rejected" });
    expect(await subscriptionOf(t.subId)).toMatchObject({ tradesCount: 0, wins: 0, losses: 0, totalPnl: 0 });
    await access.sendOrders(close.executionId, silent);
    expect(fake.orders).toEqual([]);
  });

  it("a refused exit reopens the trade (the position is still there) and takes back the P&L its close booked", async () => {
    const t = await exchangeTrade();
    const close = await closeAtReference(t);
    const fake = fakeExchange(() => ({ status: "rejected", reason: "insufficient balance" }));
    await accessVia(fake.buildBroker).sendOrders(close.executionId, silent);
    expect(await tradeOf(t.tradeId)).toMatchObject({
      status: "open",
      exitPrice: null,
      pnl: null,
      closedAt: null,
    });
    expect(await subscriptionOf(t.subId)).toMatchObject({ tradesCount: 1, wins: 0, losses: 0, totalPnl: 0 });
    expect(published.map((e) => e.payload)).toMatchObject([
      { tradeId: t.tradeId, leg: "exit", status: "rejected", reason: "insufficient balance" },
    ]);
  });
});

describe("a protective pair rests once the entry filled; a signal exit after its stop filled sends nothing", () => {
  it("the stop's fill closes the trade once, the exit is void without reopening it, the sibling recorded cancelled", async () => {
    const t = await exchangeTrade();
    await store.db.update(trades).set({ stopLoss: 95, takeProfit: 110 }).where(eq(trades.id, t.tradeId));
    let stopFilled = false;
    const fake = fakeExchange(
      () => ({ status: "filled", fillPrice: 100, filledQuantity: 0.01, fee: 0.001, exchangeOrderId: "x1" }),
      (clientOrderId) => {
        if (!stopFilled) return null;
        const leg = fake.pairs[0];
        if (clientOrderId === leg.takeProfit.clientOrderId)
          return { status: "cancelled", reason: "expired", exchangeOrderId: "x-tp" };
        const fill = { tradeId: "t-stop", price: 94.9, quantity: 0.01, fee: 0.002 };
        return {
          status: "filled",
          fillPrice: 94.9,
          filledQuantity: 0.01,
          fee: 0.002,
          fills: [fill],
          filledAt: 90_000,
        };
      },
    );
    const access = accessVia(fake.buildBroker);
    const log = pino({ level: "silent" });
    await access.sendOrders(t.executionId, log);
    // The entry filled: its pair went out once, closing the filled quantity at the trade's levels.
    expect(fake.pairs).toEqual([
      expect.objectContaining({
        side: "sell",
        quantity: 0.01,
        stop: expect.objectContaining({ price: 95 }),
        takeProfit: expect.objectContaining({ price: 110 }),
      }),
    ]);
    const legs = async () =>
      Object.fromEntries(
        (await store.db.select().from(orders).where(eq(orders.tradeId, t.tradeId))).map((o) => [
          o.leg,
          o.state,
        ]),
      );
    expect(await legs()).toEqual({ open: "filled", stop: "open", take_profit: "open" });
    // The signal closes the trade at the reference price while the exchange's stop has already filled.
    stopFilled = true;
    const close = await closeAtReference(t);
    await access.sendOrders(close.executionId, log);
    expect(fake.orders).toHaveLength(1);
    expect(await legs()).toEqual({ open: "filled", stop: "filled", take_profit: "cancelled", close: "void" });
    const [trade] = await store.db.select().from(trades).where(eq(trades.id, t.tradeId));
    // (94.9 - 100) x 0.01 - 0.001 - 0.002
    expect(trade).toMatchObject({
      status: "closed",
      exitPrice: 94.9,
      exitFee: 0.002,
      exitReason: "stop_loss",
    });
    expect(trade.pnl).toBeCloseTo(-0.054, 12);
    const [sub] = await store.db.select().from(subscriptions).where(eq(subscriptions.id, t.subId));
    expect(sub).toMatchObject({ wins: 0, losses: 1 });
    expect(sub.totalPnl).toBeCloseTo(-0.054, 12);
    // Sent again (a retried job, the reconciliation), nothing changes.
    await access.sendOrders(close.executionId, log);
    await access.reconcile(log, Date.now() + 120_000);
    expect(fake.orders).toHaveLength(1);
    expect(fake.pairs).toHaveLength(1);
    const [again] = await store.db.select().from(subscriptions).where(eq(subscriptions.id, t.subId));
    expect(again.totalPnl).toBeCloseTo(-0.054, 12);
  });

  it("a refused exit reopens the trade under a new pair: its old pair came off before the exit went out", async () => {
    const t = await exchangeTrade();
    await store.db.update(trades).set({ stopLoss: 95, takeProfit: 110 }).where(eq(trades.id, t.tradeId));
    const fake = fakeExchange(
      (o) =>
        o.side === "buy"
          ? { status: "filled", fillPrice: 100, filledQuantity: 0.01, fee: 0.001, exchangeOrderId: "x1" }
          : { status: "rejected", reason: "insufficient balance" },
      // The exit's cancel took the first pair off the exchange.
      (clientOrderId) =>
        [fake.pairs[0].stop.clientOrderId, fake.pairs[0].takeProfit.clientOrderId].includes(clientOrderId)
          ? { status: "cancelled", reason: "cancelled", exchangeOrderId: `x-${clientOrderId}` }
          : null,
    );
    const access = accessVia(fake.buildBroker);
    await access.sendOrders(t.executionId, silent);
    expect(fake.pairs).toHaveLength(1);
    const close = await closeAtReference(t);
    await access.sendOrders(close.executionId, silent);

    expect(await store.db.select().from(trades).where(eq(trades.id, t.tradeId))).toMatchObject([
      { status: "open", exitPrice: null, pnl: null },
    ]);
    const legs = await store.db
      .select({ leg: orders.leg, state: orders.state, clientOrderId: orders.clientOrderId })
      .from(orders)
      .where(and(eq(orders.tradeId, t.tradeId), inArray(orders.leg, ["stop", "take_profit"])))
      .orderBy(orders.createdAt, orders.leg);
    expect(legs.map((l) => [l.leg, l.state])).toEqual([
      ["stop", "cancelled"],
      ["take_profit", "cancelled"],
      ["stop", "open"],
      ["take_profit", "open"],
    ]);
    // The new pair went out once, at the trade's levels, under client ids of its own (from the exit's execution).
    expect(fake.pairs).toHaveLength(2);
    expect(fake.pairs[1]).toMatchObject({
      side: "sell",
      quantity: 0.01,
      stop: { clientOrderId: legs[2].clientOrderId, price: 95 },
      takeProfit: { clientOrderId: legs[3].clientOrderId, price: 110 },
    });
    expect(legs[2].clientOrderId).not.toBe(legs[0].clientOrderId);
    const [open] = (await listOpenTradesOfStrategy(store.db, t.strategyId)).filter((o) => o.id === t.tradeId);
    expect(open.protectedOnExchange).toBe(true);
  });
});

it("refuses a sent-order grace a live sender could outlast", () => {
  expect(() =>
    createExchangeAccess({
      db: store.db,
      encryptionKey: KEY,
      timing: { ...ORDER_TIMING, sentGraceMs: 30_000 },
    }),
  ).toThrow(/sentGraceMs \(30000\) must exceed what a sender can take \(46000 ms\)/);
});

describe("fills keyed by the exchange's trade id", () => {
  beforeEach(closeOffLeftovers);

  it("records each fill once however often it is read; a partial fill moves the trade, the rest completes it", async () => {
    const { tradeId, executionId } = await exchangeTrade();
    const first = { tradeId: "t-1", price: 100, quantity: 0.004, fee: 0.0004 };
    const second = { tradeId: "t-2", price: 103, quantity: 0.006, fee: 0.000618 };
    const partly = {
      status: "partially_filled" as const,
      fillPrice: 100,
      filledQuantity: 0.004,
      fee: 0.0004,
      exchangeOrderId: "x7",
      fills: [first],
    };
    // The look-up reads the first fill again beside the second.
    const done = { ...partly, status: "filled" as const, fills: [first, second] };
    const fake = fakeExchange(
      () => partly,
      () => done,
    );
    const access = accessVia(fake.buildBroker);
    await access.sendOrders(executionId, silent);
    expect(await orderOf(tradeId)).toMatchObject({ state: "partially_filled", filledQuantity: 0.004 });
    const [partial] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
    expect(partial).toMatchObject({ status: "open", quantity: 0.004, entryPrice: 100 });

    expect(await access.reconcile(silent, Date.now() + 61_000)).toEqual({ filled: 1 });
    const fills = await store.db
      .select()
      .from(orderFills)
      .where(eq(orderFills.orderId, (await orderOf(tradeId)).id));
    expect(fills.map((f) => f.exchangeTradeId).sort()).toEqual(["t-1", "t-2"]);
    const order = await orderOf(tradeId);
    // (100 × 0.004 + 103 × 0.006) / 0.01
    expect(order).toMatchObject({ state: "filled", filledQuantity: 0.01, exchangeOrderId: "x7" });
    expect(order.averagePrice).toBeCloseTo(101.8, 9);
    expect(order.fee).toBeCloseTo(0.001018, 12);
    const [t] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
    expect(t.quantity).toBeCloseTo(0.01, 12);
    expect(t.entryPrice).toBeCloseTo(101.8, 9);
    expect(t.entryFee).toBeCloseTo(0.001018, 12);
    expect(fake.orders).toHaveLength(1);
  });
});
