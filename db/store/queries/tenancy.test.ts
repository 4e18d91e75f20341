import { createTestStore, insertStrategy, insertUser, type TestStore } from "../../../test/support/store";
import {
  RISK_DEFAULTS_INPUT,
  riskSettingsSchema,
  subscribeSchema,
} from "../../contracts/validation/risk-settings";
import { getAuthorStrategy, publishVersion } from "./strategies";
import {
  changeSubscriptionStatus,
  createSubscription,
  getSubscription,
  InvalidReferenceError,
  listSubscriptions,
  listSubscriptionTrades,
  updateRiskSettings,
} from "./subscriptions";

let store: TestStore;
let alice: { id: string; paperBrokerId: string };
let bob: { id: string; paperBrokerId: string };
let strategy: { id: string };
let aliceSub: string;

beforeAll(async () => {
  store = await createTestStore();
  alice = await insertUser(store, "alice");
  bob = await insertUser(store, "bob");
  strategy = await insertStrategy(store, alice.id);
  const input = subscribeSchema.parse({ ...RISK_DEFAULTS_INPUT, brokerAccountId: alice.paperBrokerId });
  aliceSub = (
    await createSubscription(store.db, alice.id, strategy.id, input, {
      marketSource: "simulated",
      maxSubscriptions: 100,
    })
  ).id;
});
afterAll(() => store.cleanup());

describe("tenant-scoped queries", () => {
  it("return the owner's rows", async () => {
    expect(await getSubscription(store.db, alice.id, aliceSub)).toMatchObject({
      id: aliceSub,
      userId: alice.id,
    });
    expect((await listSubscriptions(store.db, alice.id, { limit: 20 })).items).toHaveLength(1);
  });

  it("return nothing for another user's ids", async () => {
    expect(await getSubscription(store.db, bob.id, aliceSub)).toBeUndefined();
    expect((await listSubscriptions(store.db, bob.id, { limit: 20 })).items).toEqual([]);
    expect(await listSubscriptionTrades(store.db, bob.id, aliceSub)).toEqual([]);
    expect(await getAuthorStrategy(store.db, bob.id, strategy.id)).toBeUndefined();
  });

  it("change nothing for another user's ids", async () => {
    const settings = riskSettingsSchema.parse({ ...RISK_DEFAULTS_INPUT, capital: 99_999 });
    expect(await updateRiskSettings(store.db, bob.id, aliceSub, settings)).toBeNull();
    expect(await changeSubscriptionStatus(store.db, bob.id, aliceSub, "cancel")).toBeNull();
    expect(
      await publishVersion(store.db, bob.id, strategy.id, {
        version: "9.0.0",
        code: "x",
        symbols: ["BTC/USDT"],
        resolution: "1m",
        lookback: 10,
        params: {},
        changelog: "",
      }),
    ).toBeNull();
    expect(await getSubscription(store.db, alice.id, aliceSub)).toMatchObject({
      status: "active",
      capital: 1000,
    });
  });

  it("refuse a subscription on another user's broker account", async () => {
    const input = subscribeSchema.parse({ ...RISK_DEFAULTS_INPUT, brokerAccountId: alice.paperBrokerId });
    await expect(
      createSubscription(store.db, bob.id, strategy.id, input, {
        marketSource: "simulated",
        maxSubscriptions: 100,
      }),
    ).rejects.toBeInstanceOf(InvalidReferenceError);
    expect((await listSubscriptions(store.db, bob.id, { limit: 20 })).items).toEqual([]);
  });

  it("allow only the transitions that make sense", async () => {
    expect(await changeSubscriptionStatus(store.db, alice.id, aliceSub, "resume")).toMatchObject({
      changed: false,
      status: "active",
    });
    expect(await changeSubscriptionStatus(store.db, alice.id, aliceSub, "pause")).toMatchObject({
      changed: true,
      status: "paused",
    });
    expect(await changeSubscriptionStatus(store.db, alice.id, aliceSub, "cancel")).toMatchObject({
      changed: true,
      status: "cancelled",
    });
    expect(await changeSubscriptionStatus(store.db, alice.id, aliceSub, "resume")).toMatchObject({
      changed: false,
      status: "cancelled",
    });
  });
});
