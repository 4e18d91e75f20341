// The orders the reconciliation reads on a real store: decisions first, resting protective legs after them.
import { eq } from "drizzle-orm";
import {
  createTestStore,
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  recordOpenExchangeTrades,
  type TestStore,
} from "../../../test/support/store";
import { orders } from "../schema";
import { insertProtectiveLegs, listOrdersToReconcile, moveOrders, protectiveLegsOf } from "./orders";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.cleanup());

it("a page full of resting legs never holds back an order that awaits a decision", async () => {
  const user = await insertUser(store, "trader");
  const account = await insertExchangeAccount(store, user.id, Buffer.alloc(32, 3).toString("base64"));
  const author = await insertUser(store, "author");
  const strategy = await insertStrategy(store, author.id);
  const [sub] = await insertSubscriptions(store, strategy.id, 1, {
    userId: user.id,
    brokerAccountId: account.id,
  });
  const { tradeIds, executionId } = await recordOpenExchangeTrades(
    store,
    { strategyId: strategy.id, versionId: strategy.versionId },
    [{ subscriptionId: sub.id, userId: user.id, brokerAccountId: account.id, clientOrderId: "cc-entry" }],
  );
  // The entry's pending row was committed at 2; the resting pair is older still (committed at 1).
  const leg = (name: "stop" | "take_profit", triggerPrice: number) => ({
    tradeId: tradeIds[0],
    executionId,
    brokerAccountId: account.id,
    leg: name,
    clientOrderId: `cc-${name}`,
    symbol: "BTC/USDT",
    side: "sell" as const,
    quantity: 0.01,
    referencePrice: 100,
    triggerPrice,
  });
  await insertProtectiveLegs(store.db, [leg("stop", 95), leg("take_profit", 110)], 1);
  // Committed twice (a fill read again): one pair.
  await insertProtectiveLegs(store.db, [leg("stop", 95), leg("take_profit", 110)], 1);
  const pair = await protectiveLegsOf(store.db, tradeIds[0]);
  expect(pair.map((l) => [l.leg, l.triggerPrice])).toEqual([
    ["stop", 95],
    ["take_profit", 110],
  ]);
  const movePair = (to: "sent" | "open") =>
    moveOrders(
      store.db,
      pair.map((l) => l.id),
      to,
      {},
      1,
    );
  expect(await movePair("sent")).toBe(2);
  expect(await movePair("open")).toBe(2);
  // Claimed again: nothing moves.
  expect(await movePair("sent")).toBe(0);

  const cutoffs = { pendingBefore: 10, sentBefore: 10 };
  const [first] = await listOrdersToReconcile(store.db, cutoffs, 1);
  expect(first).toMatchObject({ clientOrderId: "cc-entry", state: "pending" });
  await store.db.update(orders).set({ state: "filled" }).where(eq(orders.clientOrderId, "cc-entry"));
  expect((await listOrdersToReconcile(store.db, cutoffs, 5)).map((o) => o.leg)).toEqual([
    "stop",
    "take_profit",
  ]);
});
