// Exchange accounts in the coordinator's terms: decrypted credentials build the client, fills and rejections land on the trade.
import { eq } from "drizzle-orm";
import pino from "pino";
import { createBrokerAccount } from "../db/queries/broker-accounts";
import { recordExecution } from "../db/queries/executions";
import { newId } from "../db/ids";
import { subscriptions, trades } from "../db/schema";
import {
  createTestStore,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  type TestStore,
} from "../db/testing";
import type { ExchangeBroker } from "./brokers/exchange.server";
import type { MarketOrder, OrderResult } from "./brokers/broker";
import { createExchangeAccess } from "./exchange-access";

const KEY = Buffer.alloc(32, 3).toString("base64");
let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.cleanup());

function fakeExchange(answer: (o: MarketOrder) => OrderResult) {
  const built: { exchangeId: string; apiKey: string; secret: string; sandbox: boolean }[] = [];
  const orders: MarketOrder[] = [];
  const broker: ExchangeBroker = {
    loadLimits: async () => ({ minQuantity: 0.001, quantityStep: 0.001 }),
    placeMarketOrder: async (o) => (orders.push(o), answer(o)),
  };
  return { built, orders, buildBroker: (o: (typeof built)[number]) => (built.push(o), broker) };
}

async function exchangeTrade() {
  const user = await insertUser(store, "trader");
  const account = await createBrokerAccount(
    store.db,
    user.id,
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
  const author = await insertUser(store, "author");
  const s = await insertStrategy(store, author.id, { slug: `ex-${newId().slice(-8)}` });
  const [sub] = await insertSubscriptions(store, s.id, 1, { userId: user.id, brokerAccountId: account.id });
  const tradeId = newId();
  const executionId = newId();
  await recordExecution(store.db, {
    execution: {
      id: executionId,
      strategyId: s.id,
      versionId: s.versionId,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime: 60_000,
      status: "COMPLETED",
      subscriberCount: 1,
      startedAt: 1,
      finishedAt: 2,
    },
    trades: [
      {
        id: tradeId,
        subscriptionId: sub.id,
        userId: user.id,
        symbol: "BTC/USDT",
        status: "open",
        side: "LONG",
        quantity: 0.01,
        entryPrice: 100,
        entryFee: 0,
      },
    ],
  });
  return { accountId: account.id, subId: sub.id, tradeId };
}

const order = (accountId: string, tradeId: string) => ({
  tradeId,
  brokerAccountId: accountId,
  leg: "open" as const,
  clientOrderId: "cc0123",
  symbol: "BTC/USDT",
  side: "buy" as const,
  quantity: 0.01,
  referencePrice: 100,
});

it("decrypts the account's keys to build the client, and records the exchange's fill on the trade", async () => {
  const { accountId, tradeId } = await exchangeTrade();
  const fake = fakeExchange(() => ({
    status: "filled",
    fillPrice: 101.5,
    filledQuantity: 0.01,
    fee: 0.02,
    exchangeOrderId: "x1",
  }));
  const access = createExchangeAccess({ db: store.db, encryptionKey: KEY, buildBroker: fake.buildBroker });
  expect(await access.prepare(accountId, "BTC/USDT")).toEqual({
    limits: { minQuantity: 0.001, quantityStep: 0.001 },
  });
  expect(fake.built).toEqual([
    { exchangeId: "binance", apiKey: "key-12345678", secret: "secret-12345678", sandbox: true },
  ]);
  await access.placeOrders([order(accountId, tradeId)], pino({ level: "silent" }));
  const [t] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
  expect(t).toMatchObject({ status: "open", entryPrice: 101.5, entryFee: 0.02 });
  expect(fake.orders[0].clientOrderId).toBe("cc0123");
});

it("a rejected order marks the trade rejected and takes it out of the subscription's count", async () => {
  const { accountId, subId, tradeId } = await exchangeTrade();
  const fake = fakeExchange(() => ({ status: "rejected", reason: "insufficient balance" }));
  const access = createExchangeAccess({ db: store.db, encryptionKey: KEY, buildBroker: fake.buildBroker });
  await access.placeOrders([order(accountId, tradeId)], pino({ level: "silent" }));
  const [t] = await store.db.select().from(trades).where(eq(trades.id, tradeId));
  expect(t).toMatchObject({ status: "rejected", reason: "insufficient balance" });
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
