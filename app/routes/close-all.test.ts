// "Close all positions" on the pages' actions (subscription page, broker accounts page) with a real pg-boss:
// what the confirmation counts, the status line's figures, another user's ids, no queue reachable.
import { eq } from "drizzle-orm";
import pino from "pino";
import { QUEUES } from "../../db/contracts/queues-and-channels";
import { insertProtectiveLegs } from "../../db/store/queries/orders";
import { subscriptions } from "../../db/store/schema";
import { createTestApp, loadRoute, postRoute, signInAs, type TestApp } from "../../test/app-context";
import {
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  recordOpenExchangeTrades,
} from "../../test/support/store";
import { createJobSender } from "../../worker/jobs";
import { createPostgresQueue, type PostgresQueue } from "../../test/support/postgres-queue";
import * as brokers from "./settings.brokers";
import * as detail from "./subscriptions.$id";
import * as subscriptionConfirm from "./subscriptions.$id_.close-all";
import * as accountConfirm from "./settings.brokers_.$id.close-all";

let t: TestApp;
let pg: PostgresQueue;
let queue: PostgresQueue["queue"];
let bob: { id: string; cookie: string; accountId: string; subId: string };
let alice: { cookie: string };

beforeAll(async () => {
  t = await createTestApp();
  pg = await createPostgresQueue("close_all");
  queue = pg.queue;
  t.app.jobs = createJobSender(queue.boss, t.app.infra.bus, pino({ level: "silent" }));
  const author = await insertUser(t.store, "author");
  const strategy = await insertStrategy(t.store, author.id, { slug: "pages-trend", resolution: "1h" });
  const b = await insertUser(t.store, "bob");
  const a = await insertUser(t.store, "alice");
  const account = await insertExchangeAccount(t.store, b.id, t.app.config.encryptionKey);
  const [sub] = await insertSubscriptions(t.store, strategy.id, 1, {
    userId: b.id,
    brokerAccountId: account.id,
  });
  // One open exchange trade with its protective pair resting (as the coordinator and the sender leave it).
  const { tradeIds, executionId } = await recordOpenExchangeTrades(
    t.store,
    { strategyId: strategy.id, versionId: strategy.versionId },
    [{ subscriptionId: sub.id, userId: b.id, brokerAccountId: account.id, clientOrderId: "cc-entry-1" }],
  );
  const leg = (name: "stop" | "take_profit", price: number) => ({
    tradeId: tradeIds[0],
    executionId,
    brokerAccountId: account.id,
    leg: name,
    clientOrderId: `cc-${name}-1`,
    symbol: "BTC/USDT",
    side: "sell" as const,
    quantity: 0.01,
    referencePrice: 100,
    triggerPrice: price,
  });
  await insertProtectiveLegs(t.store.db, [leg("stop", 95), leg("take_profit", 110)]);
  bob = { id: b.id, cookie: await signInAs(t, b.id), accountId: account.id, subId: sub.id };
  alice = { cookie: await signInAs(t, a.id) };
});
afterAll(async () => {
  await t?.close();
  await pg?.close();
});

const statusOf = async (id: string) =>
  (await t.store.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0].status;

it("the pages count what a close-all touches: open trades, resting orders, subscriptions to pause", async () => {
  const page = await (
    await loadRoute(t, detail, `/subscriptions/${bob.subId}`, bob.cookie, { id: bob.subId })
  ).json();
  expect(page.closeAll).toEqual({ openTrades: 1, restingOrders: 2, toPause: 1 });
  const accounts = await (await loadRoute(t, brokers, "/settings/brokers", bob.cookie)).json();
  expect(accounts.accounts.find((a: { id: string }) => a.id === bob.accountId).closeAll).toEqual({
    openTrades: 1,
    restingOrders: 2,
    toPause: 1,
  });
});

it("without JavaScript, a confirmation page of its own says the same; another user's ids are a 404", async () => {
  const counts = { openTrades: 1, restingOrders: 2, toPause: 1 };
  const sub = await loadRoute(t, subscriptionConfirm, `/subscriptions/${bob.subId}/close-all`, bob.cookie, {
    id: bob.subId,
  });
  expect(await sub.json()).toMatchObject({ id: bob.subId, kind: "exchange", counts });
  const account = await loadRoute(
    t,
    accountConfirm,
    `/settings/brokers/${bob.accountId}/close-all`,
    bob.cookie,
    {
      id: bob.accountId,
    },
  );
  expect(await account.json()).toMatchObject({ id: bob.accountId, kind: "exchange", counts });
  for (const [route, path, id] of [
    [subscriptionConfirm, `/subscriptions/${bob.subId}/close-all`, bob.subId],
    [accountConfirm, `/settings/brokers/${bob.accountId}/close-all`, bob.accountId],
  ] as const)
    expect((await loadRoute(t, route, path, alice.cookie, { id })).status).toBe(404);
});

it("another user's account is a 404; without a queue the page says so and nothing is paused", async () => {
  const form = { intent: "close-all", accountId: bob.accountId };
  const denied = await postRoute(t, brokers, "/settings/brokers", alice.cookie, form);
  expect(denied.status).toBe(404);
  const working = t.app.jobs;
  t.app.jobs = null;
  try {
    const refused = await postRoute(t, brokers, "/settings/brokers", bob.cookie, form);
    expect(refused.status).toBe(503);
    expect((await refused.json()).closeAllError).toMatchObject({ accountId: bob.accountId });
    const page = await postRoute(
      t,
      detail,
      `/subscriptions/${bob.subId}`,
      bob.cookie,
      { intent: "close-all" },
      {
        id: bob.subId,
      },
    );
    expect(page.status).toBe(503);
  } finally {
    t.app.jobs = working;
  }
  expect(await statusOf(bob.subId)).toBe("active");
});

it("the broker page's close-all pauses the account's subscriptions and queues the job", async () => {
  const answer = await postRoute(t, brokers, "/settings/brokers", bob.cookie, {
    intent: "close-all",
    accountId: bob.accountId,
  });
  expect(answer.status).toBe(200);
  const { closeAll } = await answer.json();
  expect(closeAll).toMatchObject({
    accountId: bob.accountId,
    openTrades: 1,
    restingOrders: 2,
    subscriptionsPaused: 1,
  });
  expect(await statusOf(bob.subId)).toBe("paused");
  expect((await queue.boss.getJobById(QUEUES.positionsCloseAll, closeAll.id))?.data).toMatchObject({
    brokerAccountId: bob.accountId,
    subscriptionIds: [bob.subId],
  });
});
