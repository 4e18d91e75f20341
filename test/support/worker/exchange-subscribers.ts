// Exchange subscribers for the cross-process order tests: each its own Candlecast exchange account and
// simulator account (with balances), and the fast order timings those tests run the workers with.
import type { OrderTiming } from "../../../worker/exchange-access";
import type { ExchangeSimProcess } from "../exchange-sim-process";
import { insertExchangeAccount, insertSubscriptions, insertUser, type TestStore } from "../store";
import { testWorkerConfig } from "./config";

/** Every simulator account starts with these; positions are read as differences from them. */
export const SIM_BALANCES = { USDT: 1_000_000, BTC: 100 };

/** Short graces for tests that queue the reconciliation themselves (sentGraceMs above a sender's budget). */
export const TEST_ORDER_TIMING: OrderTiming = {
  pendingGraceMs: 1_000,
  sentGraceMs: 3_000,
  freshMs: 20_000,
  requestTimeoutMs: 500,
  lookupBackoffMs: 100,
};

/** A user subscribed to `strategyId` through an exchange account of their own on the simulator. */
export async function addExchangeSubscriber(
  store: TestStore,
  sim: ExchangeSimProcess,
  strategyId: string,
  name: string,
): Promise<{ accountId: string; apiKey: string; subId: string }> {
  const user = await insertUser(store, `trader-${name}`);
  const keys = { apiKey: `key-${name}-${user.id}`, secret: `secret-${name}`, testnet: false };
  const account = await insertExchangeAccount(store, user.id, testWorkerConfig("").encryptionKey, keys);
  await sim.addAccount({ apiKey: keys.apiKey, secret: keys.secret, balances: SIM_BALANCES });
  const [sub] = await insertSubscriptions(store, strategyId, 1, {
    userId: user.id,
    brokerAccountId: account.id,
  });
  return { accountId: account.id, apiKey: keys.apiKey, subId: sub.id };
}
