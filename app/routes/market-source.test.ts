// No real orders on invented prices: on the simulated market an exchange account cannot subscribe,
// through the form or the API; with exchange candles (MARKET_DATA=exchange:…) it can. And every page
// that shows a figure says which candles it came from.
import { and, eq } from "drizzle-orm";
import { newId } from "../../db/platform/ids";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { backtests, brokerAccounts, executions, subscriptions } from "../../db/store/schema";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { loadRoute, postRoute, signInAs } from "../../test/app-context";
import { insertStrategy, insertSubscriptions, insertUser } from "../../test/support/store";
import * as marketplace from "./_index";
import * as authorStrategy from "./author.strategies.$id";
import * as brokers from "./settings.brokers";
import * as subscribe from "./strategies.$slug_.subscribe";
import * as subscriptionPage from "./subscriptions.$id";

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

describe("the source badge on every figure", () => {
  const HOUR = 3_600_000;
  let author: { id: string; cookie: string };
  let live: { id: string; slug: string };
  let backtested: { id: string; slug: string; versionId: string };
  let fresh: { id: string; slug: string };

  /** A completed execution of the strategy closing at `closeTime`, on `source`'s candles. */
  const executed = (strategyId: string, source: string, closeTime: number) =>
    h.t.store.db.insert(executions).values({
      id: newId(),
      strategyId,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime,
      marketSource: source,
      status: "COMPLETED",
      signal: "HOLD",
      startedAt: closeTime,
    });

  beforeAll(async () => {
    const u = await insertUser(h.t.store, "badge-author");
    author = { id: u.id, cookie: await signInAs(h.t, u.id) };
    live = await insertStrategy(h.t.store, u.id, { slug: "badge-live" });
    backtested = await insertStrategy(h.t.store, u.id, { slug: "badge-backtested" });
    fresh = await insertStrategy(h.t.store, u.id, { slug: "badge-fresh" });
    // Live: executed on the simulated market first, then on Binance: the newest one says where figures come from.
    await executed(live.id, "simulated", 10 * HOUR);
    await executed(live.id, "binance", 11 * HOUR);
    await h.t.store.db.insert(backtests).values(
      ["binance", "simulated"].map((marketSource, i) => ({
        id: newId(),
        strategyId: backtested.id,
        versionId: backtested.versionId,
        userId: u.id,
        symbol: "BTC/USDT",
        resolution: "1m",
        fromTime: 0,
        toTime: HOUR,
        marketSource,
        settings: {},
        status: "completed" as const,
        stats: { returnPct: 4.2 },
        equity: [
          [0, 100],
          [HOUR, 104.2],
        ] as [number, number][],
        createdAt: 1_000 + i,
      })),
    );
  });

  it("each marketplace card badges its own figures: the live ones' source, the backtest's, else MARKET_DATA's", async () => {
    h.t.app.config.marketData = { source: "okx", waitBudgetMs: 2_000 };
    const page = await (await loadRoute(h.t, marketplace, "/?q=badge", "")).json();
    const sources = Object.fromEntries(
      (page.items as { slug: string; figuresSource: string }[]).map((i) => [i.slug, i.figuresSource]),
    );
    // The card of a strategy without live trades shows its latest backtest (the simulated one, made last).
    expect(sources).toEqual({
      "badge-live": "binance",
      "badge-backtested": "simulated",
      "badge-fresh": "okx",
    });
    expect(page.marketSource).toBe("okx");
  });

  it("the author's backtest list gives each backtest's source", async () => {
    const page = await (
      await loadRoute(h.t, authorStrategy, `/author/strategies/${backtested.id}`, author.cookie, {
        id: backtested.id,
      })
    ).json();
    expect(page.backtests.map((b: { marketSource: string }) => b.marketSource)).toEqual([
      "simulated",
      "binance",
    ]);
  });

  it("the subscription page badges its figures with the source its strategy's executions read, else MARKET_DATA's", async () => {
    const [onLive] = await insertSubscriptions(h.t.store, live.id, 1);
    const [onFresh] = await insertSubscriptions(h.t.store, fresh.id, 1);
    const load = async (id: string, userId: string) =>
      (
        await loadRoute(h.t, subscriptionPage, `/subscriptions/${id}`, await signInAs(h.t, userId), { id })
      ).json();
    expect((await load(onLive.id, onLive.userId)).marketSource).toBe("binance");
    expect((await load(onFresh.id, onFresh.userId)).marketSource).toBe("simulated");
  });
});
