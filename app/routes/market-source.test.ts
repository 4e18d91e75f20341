// No real orders on invented prices: on the simulated market an exchange account cannot subscribe,
// through the form or the API; with exchange candles (MARKET_DATA=exchange:…) it can.
import { and, eq } from "drizzle-orm";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { brokerAccounts, subscriptions } from "../../db/store/schema";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { postRoute, signInAs } from "../../test/app-context";
import { insertStrategy, insertUser } from "../../test/support/store";
import * as brokers from "./settings.brokers";
import * as subscribe from "./strategies.$slug_.subscribe";

let h: ApiHarness;
let user: { id: string; cookie: string; token: string; exchangeAccountId: string };
let strategy: { id: string; slug: string };
const RISK = {
  capital: "2500",
  riskPerTrade: "1",
  leverage: "1",
  maxOpenPositions: "2",
  maxDailyLoss: "5",
  stopLossAtr: "2",
  takeProfitAtr: "3",
};

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  const u = await insertUser(h.t.store, "trader");
  const cookie = await signInAs(h.t, u.id);
  const added = await postRoute(h.t, brokers, "/settings/brokers", cookie, {
    kind: "exchange",
    name: "Binance main",
    exchange: "binance",
    apiKey: "KEYabcdefghijklmnopWXYZ",
    secret: "SECRETabcdefghijklmnopqrstuvwxyz",
  });
  expect(added.status).toBe(200);
  const account = await h.t.store.db.query.brokerAccounts.findFirst({
    where: and(eq(brokerAccounts.userId, u.id), eq(brokerAccounts.kind, "exchange")),
  });
  const { token } = await createApiToken(h.t.store.db, u.id, "test");
  user = { id: u.id, cookie, token, exchangeAccountId: account!.id };
  strategy = await insertStrategy(h.t.store, (await insertUser(h.t.store, "author")).id, {
    slug: "real-or-not",
  });
});
afterAll(() => h.t.close());
afterEach(() => {
  h.t.app.config.marketData = { source: "simulated", waitBudgetMs: 2_000 };
});

const subscriptionCount = async () =>
  (await h.t.store.db.select().from(subscriptions).where(eq(subscriptions.userId, user.id))).length;
const subscribeForm = () =>
  postRoute(
    h.t,
    subscribe,
    `/strategies/${strategy.slug}/subscribe`,
    user.cookie,
    { ...RISK, brokerAccountId: user.exchangeAccountId },
    { slug: strategy.slug },
  );
const subscribeApi = () =>
  h.call("POST", "/api/v1/subscriptions", {
    token: user.token,
    body: { strategyId: strategy.slug, brokerAccountId: user.exchangeAccountId },
  });

describe("exchange accounts and the market-data source", () => {
  it("the form refuses an exchange account on the simulated market with the reason on the field", async () => {
    const res = await subscribeForm();
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors.brokerAccountId).toMatch(/simulated market .*real money on invented prices/);
    expect(await subscriptionCount()).toBe(0);
  });

  it("the API answers 422 naming brokerAccountId and changes nothing", async () => {
    const answer = await subscribeApi();
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body)).toMatch(/brokerAccountId/);
    expect(JSON.stringify(answer.body)).toMatch(/simulated market/);
    expect(await subscriptionCount()).toBe(0);
  });

  it("both accept the exchange account where candles come from an exchange", async () => {
    h.t.app.config.marketData = { source: "binance", waitBudgetMs: 2_000 };
    expect((await subscribeForm()).status).toBe(302);
    expect((await subscribeApi()).status).toBe(201);
    expect(await subscriptionCount()).toBe(2);
  });
});
