// Broker accounts, subscribing, status changes and editing through the real routes: validation, tenancy, secrets.
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { and, eq, inArray } from "drizzle-orm";
import {
  createTestApp,
  makeRequest,
  respond,
  signInAs,
  type TestApp,
  loadRoute,
  postRoute,
} from "../../test/app-context";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ORDER_STATE_TEXT } from "../../db/contracts/order-states";
import { brokerAccounts, events, orders, positionChecks, subscriptions } from "../../db/store/schema";
import { mismatchSentence } from "../components/position-mismatch";
import { insertProtectiveLegs } from "../../db/store/queries/orders";
import { SubscriptionTrades } from "../components/subscription-tables";
import {
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  recordOpenExchangeTrades,
} from "../../test/support/store";
import * as brokers from "./settings.brokers";
import * as subscribe from "./strategies.$slug_.subscribe";
import * as detail from "./subscriptions.$id";
import * as cancelPage from "./subscriptions.$id_.cancel";
import * as edit from "./subscriptions.$id_.edit";
import * as list from "./subscriptions._index";
import { VALID_RISK_FORM } from "../../test/support/risk-form";

type Route = Parameters<typeof loadRoute>[1];
let t: TestApp;
let alice: { id: string; paperBrokerId: string; cookie: string };
let bob: { id: string; paperBrokerId: string; cookie: string };
let strategy: { id: string; slug: string; versionId: string };
const changes: unknown[] = [];

const load = (route: Route, path: string, cookie: string, params: Record<string, string> = {}) =>
  loadRoute(t, route, path, cookie, params);
const post = (
  route: Route,
  path: string,
  cookie: string,
  form: Record<string, string>,
  params: Record<string, string> = {},
) => postRoute(t, route, path, cookie, form, params);

const VALID = VALID_RISK_FORM;

beforeAll(async () => {
  t = await createTestApp();
  const a = await insertUser(t.store, "alice");
  const b = await insertUser(t.store, "bob");
  alice = { ...a, cookie: await signInAs(t, a.id) };
  bob = { ...b, cookie: await signInAs(t, b.id) };
  strategy = await insertStrategy(t.store, a.id, { slug: "trend-one", resolution: "1h" });
  await t.app.infra.bus.subscribe(CHANNELS.subscriptionChanged, (m) => changes.push(m));
});
afterAll(async () => {
  await t.close();
});

async function subscribeAlice(form: Record<string, string> = {}) {
  const res = await post(
    subscribe,
    `/strategies/${strategy.slug}/subscribe`,
    alice.cookie,
    {
      ...VALID,
      brokerAccountId: alice.paperBrokerId,
      ...form,
    },
    { slug: strategy.slug },
  );
  expect(res.status).toBe(302);
  return res.headers.get("Location")!.split("/").pop()!;
}

describe("broker accounts", () => {
  const secret = "sUp3r-s3cret-API-secret-value";
  const apiKey = "KEYabcdefghijklmnopWXYZ";

  it("adds an exchange account with encrypted credentials and never sends the secret back", async () => {
    const res = await post(brokers, "/settings/brokers", alice.cookie, {
      kind: "exchange",
      name: "Binance main",
      exchange: "binance",
      apiKey,
      secret,
      testnet: "on",
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toContain(secret);
    expect(body).not.toContain(apiKey);
    const row = await t.store.db.query.brokerAccounts.findFirst({
      where: eq(brokerAccounts.name, "Binance main"),
    });
    expect(row?.credentialsEncrypted).toMatch(/^v1\./);
    expect(row?.credentialsEncrypted).not.toContain(secret);
    expect(row?.credentialsHint).toBe("KEYa••••WXYZ");
    expect(row?.testnet).toBe(true);

    const page = await load(brokers, "/settings/brokers", alice.cookie);
    const json = await page.text();
    expect(json).toContain("KEYa••••WXYZ");
    expect(json).not.toContain(secret);
    expect(json).not.toContain(apiKey);
    expect(json).not.toContain(row!.credentialsEncrypted!);
    expect(json).not.toContain("credentialsEncrypted");
  });

  it("names the invalid fields, does not echo the secret, and writes nothing", async () => {
    const before = await t.store.db.$count(brokerAccounts);
    const res = await post(brokers, "/settings/brokers", alice.cookie, {
      kind: "exchange",
      name: "",
      exchange: "mtgox",
      apiKey: "short",
      secret: "leaky-secret-x",
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain("leaky-secret-x");
    expect(JSON.parse(text).errors).toMatchObject({
      name: "Name is required",
      exchange: expect.stringContaining("Exchange must be one of"),
      apiKey: "API key must be at least 8 characters",
    });
    expect(await t.store.db.$count(brokerAccounts)).toBe(before);
  });

  it("lists only the signed-in user's accounts", async () => {
    const res = await load(brokers, "/settings/brokers", bob.cookie);
    const { accounts } = await res.json();
    expect(accounts.map((a: { id: string }) => a.id)).toEqual([bob.paperBrokerId]);
  });

  it("sends a signed-out visitor to log in", async () => {
    const res = await respond(() =>
      brokers.loader({ request: makeRequest("/settings/brokers"), context: t.context, params: {} }),
    );
    expect(res.headers.get("Location")).toBe("/login?redirectTo=%2Fsettings%2Fbrokers");
  });
});

describe("subscribe", () => {
  it("shows the form with the user's broker accounts and the published versions", async () => {
    const res = await load(subscribe, `/strategies/${strategy.slug}/subscribe`, alice.cookie, {
      slug: strategy.slug,
    });
    const body = await res.json();
    expect(body.accounts.map((a: { id: string }) => a.id)).toContain(alice.paperBrokerId);
    expect(body.versions).toEqual([{ id: strategy.versionId, version: "1.0.0" }]);
    expect(JSON.stringify(body)).not.toContain("credentialsEncrypted");
  });

  it("404s for an unknown strategy", async () => {
    const res = await load(subscribe, "/strategies/nope/subscribe", alice.cookie, { slug: "nope" });
    expect(res.status).toBe(404);
  });

  it("names every invalid field with status 400 and writes nothing", async () => {
    const before = await t.store.db.$count(subscriptions);
    const res = await post(
      subscribe,
      `/strategies/${strategy.slug}/subscribe`,
      alice.cookie,
      {
        capital: "5",
        riskPerTrade: "50",
        leverage: "abc",
        maxOpenPositions: "1.5",
        maxDailyLoss: "",
        stopLossAtr: "2",
        takeProfitAtr: "3",
        brokerAccountId: alice.paperBrokerId,
      },
      { slug: strategy.slug },
    );
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors).toEqual({
      capital: "Capital must be at least 10 USDT",
      riskPerTrade: "Risk per trade must be at most 10 %",
      leverage: "Leverage must be a number",
      maxOpenPositions: "Max open positions must be a whole number",
      maxDailyLoss: "Max daily loss is required",
    });
    expect(body.values.capital).toBe("5");
    expect(await t.store.db.$count(subscriptions)).toBe(before);
  });

  it("refuses another user's broker account and another strategy's version on their fields", async () => {
    const before = await t.store.db.$count(subscriptions);
    const other = await post(
      subscribe,
      `/strategies/${strategy.slug}/subscribe`,
      alice.cookie,
      { ...VALID, brokerAccountId: bob.paperBrokerId },
      { slug: strategy.slug },
    );
    expect(other.status).toBe(400);
    expect((await other.json()).errors).toEqual({ brokerAccountId: "Choose one of your broker accounts" });
    const otherStrategy = await insertStrategy(t.store, bob.id, { slug: "other-one" });
    const pin = await post(
      subscribe,
      `/strategies/${strategy.slug}/subscribe`,
      alice.cookie,
      {
        ...VALID,
        brokerAccountId: alice.paperBrokerId,
        pinnedVersionId: otherStrategy.versionId,
      },
      { slug: strategy.slug },
    );
    expect(pin.status).toBe(400);
    expect((await pin.json()).errors).toEqual({
      pinnedVersionId: "Choose a published version of this strategy",
    });
    expect(await t.store.db.$count(subscriptions)).toBe(before);
  });

  it("creates the subscription in stored units, announces it and redirects to its page", async () => {
    changes.length = 0;
    const id = await subscribeAlice({ pinnedVersionId: strategy.versionId });
    const row = await t.store.db.query.subscriptions.findFirst({ where: eq(subscriptions.id, id) });
    expect(row).toMatchObject({
      userId: alice.id,
      capital: 2500,
      riskPerTrade: 0.015,
      leverage: 2,
      maxOpenPositions: 4,
      maxDailyLoss: 0.05,
      pinnedVersionId: strategy.versionId,
      status: "active",
    });
    await vi.waitFor(() => expect(changes).toHaveLength(1));
    expect(changes).toEqual([{ subscriptionId: id, strategyId: strategy.id, status: "active" }]);
    const outbox = await t.store.db.select().from(events).where(eq(events.userId, alice.id));
    expect(outbox.at(-1)).toMatchObject({ type: "subscription.changed" });
  });
});

describe("my subscriptions", () => {
  it("pauses, resumes and cancels, announcing each change; a refused transition is a 409", async () => {
    const id = await subscribeAlice();
    changes.length = 0;
    const intent = async (name: string) =>
      post(
        detail,
        `/subscriptions/${id}`,
        alice.cookie,
        { intent: name, redirectTo: "/subscriptions" },
        { id },
      );

    const paused = await intent("pause");
    expect(paused.status).toBe(302);
    expect(paused.headers.get("Location")).toBe("/subscriptions");
    const statusOf = async () =>
      (await t.store.db.query.subscriptions.findFirst({ where: eq(subscriptions.id, id) }))!.status;
    expect(await statusOf()).toBe("paused");
    const refused = await intent("pause");
    expect(refused.status).toBe(409);
    // The same service and message as the API's 409.
    expect(await refused.json()).toEqual({ error: "This subscription is paused: it cannot be paused" });
    expect((await intent("resume")).status).toBe(302);
    expect(await statusOf()).toBe("active");
    expect((await intent("cancel")).status).toBe(302);
    expect(await statusOf()).toBe("cancelled");
    expect((await intent("resume")).status).toBe(409);
    await vi.waitFor(() => expect(changes).toHaveLength(3));
    expect(changes.map((c) => (c as { status: string }).status)).toEqual(["paused", "active", "cancelled"]);
  });

  it("a cancelled subscription's settings cannot be edited: 409 with the reason, nothing changes", async () => {
    const id = await subscribeAlice();
    expect(
      (await post(detail, `/subscriptions/${id}`, alice.cookie, { intent: "cancel" }, { id })).status,
    ).toBe(302);
    const before = await t.store.db.query.subscriptions.findFirst({ where: eq(subscriptions.id, id) });
    const refused = await post(
      edit,
      `/subscriptions/${id}/edit`,
      alice.cookie,
      { ...VALID, capital: "9000" },
      { id },
    );
    expect(refused.status).toBe(409);
    expect((await refused.json()).errors).toEqual({
      status: "This subscription is cancelled: its settings cannot be changed",
    });
    expect(await t.store.db.query.subscriptions.findFirst({ where: eq(subscriptions.id, id) })).toEqual(
      before,
    );
  });

  it("lists the user's subscriptions with P&L and open positions, and only theirs", async () => {
    const res = await load(list, "/subscriptions", alice.cookie);
    const body = await res.json();
    expect(body.subscriptions.length).toBeGreaterThan(0);
    expect(body.subscriptions[0]).toMatchObject({
      totalPnl: 0,
      openPositions: 0,
      strategy: { slug: "trend-one" },
    });
    const bobs = await (await load(list, "/subscriptions", bob.cookie)).json();
    expect(bobs.subscriptions).toEqual([]);
  });

  it("edits the settings, which are stored and announced; invalid values change nothing", async () => {
    const id = await subscribeAlice();
    const bad = await post(
      edit,
      `/subscriptions/${id}/edit`,
      alice.cookie,
      { ...VALID, leverage: "50" },
      { id },
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual({ leverage: "Leverage must be at most 20×" });
    const ok = await post(
      edit,
      `/subscriptions/${id}/edit`,
      alice.cookie,
      { ...VALID, capital: "9000", riskPerTrade: "0.5" },
      { id },
    );
    expect(ok.headers.get("Location")).toBe(`/subscriptions/${id}`);
    const row = await t.store.db.query.subscriptions.findFirst({ where: eq(subscriptions.id, id) });
    expect(row).toMatchObject({ capital: 9000, riskPerTrade: 0.005, leverage: 2 });
    const form = await (await load(edit, `/subscriptions/${id}/edit`, alice.cookie, { id })).json();
    expect(form.values).toEqual({
      capital: 9000,
      riskPerTrade: 0.5,
      leverage: 2,
      maxOpenPositions: 4,
      maxDailyLoss: 5,
      stopLossAtr: 2,
      takeProfitAtr: 3,
    });
  });

  it("shows the subscription page with its settings, trades and signals", async () => {
    const id = await subscribeAlice();
    const body = await (await load(detail, `/subscriptions/${id}`, alice.cookie, { id })).json();
    expect(body).toMatchObject({
      subscription: { id, status: "active", settings: { capital: 2500 } },
      strategy: { slug: "trend-one" },
      version: "1.0.0",
      trades: [],
      signals: [],
    });
    expect(body.equity).toHaveLength(1);
    expect(typeof body.since).toBe("number");
  });

  it("shows each exchange trade's orders with their states, exchange ids and reasons", async () => {
    const account = await insertExchangeAccount(t.store, alice.id, t.app.config.encryptionKey);
    const [sub] = await insertSubscriptions(t.store, strategy.id, 1, {
      userId: alice.id,
      brokerAccountId: account.id,
    });
    const {
      tradeIds: [tradeId],
    } = await recordOpenExchangeTrades(t.store, { strategyId: strategy.id, versionId: strategy.versionId }, [
      {
        subscriptionId: sub.id,
        userId: alice.id,
        brokerAccountId: account.id,
        clientOrderId: "cc-page-entry",
      },
    ]);
    await t.store.db
      .update(orders)
      .set({ state: "unknown", reason: "ETIMEDOUT" })
      .where(eq(orders.tradeId, tradeId));
    // Its protective pair, resting on the exchange.
    const leg = (name: "stop" | "take_profit", triggerPrice: number) => ({
      tradeId,
      executionId: "exec-page",
      brokerAccountId: account.id,
      leg: name,
      clientOrderId: `cc-page-${name}`,
      symbol: "BTC/USDT",
      side: "sell" as const,
      quantity: 0.01,
      referencePrice: 100,
      triggerPrice,
    });
    await insertProtectiveLegs(t.store.db, [leg("stop", 95.25), leg("take_profit", 107.5)]);
    await t.store.db.update(orders).set({ state: "open" }).where(eq(orders.clientOrderId, "cc-page-stop"));
    const body = await (await load(detail, `/subscriptions/${sub.id}`, alice.cookie, { id: sub.id })).json();
    expect(body.trades).toMatchObject([
      {
        id: tradeId,
        orders: [
          { leg: "open", state: "unknown", clientOrderId: "cc-page-entry", reason: "ETIMEDOUT" },
          { leg: "stop", state: "open", triggerPrice: 95.25 },
          { leg: "take_profit", state: "pending", triggerPrice: 107.5 },
        ],
      },
    ]);
    const page = renderToStaticMarkup(createElement(SubscriptionTrades, { trades: body.trades, limit: 50 }));
    expect(page).toContain("Entry order");
    expect(page).toMatch(/Stop-loss<\/span>.*?Working.*?at 95\.25/);
    expect(page).toMatch(/Take-profit<\/span>.*?Waiting to send.*?at 107\.50/);
    expect(page).toContain(ORDER_STATE_TEXT.unknown.label);
    // The state a subscriber may not know is explained on the page, not only in a tooltip.
    expect(page).toContain("It is never sent again");
    // Its pair works (or is on its way): no refusal to explain.
    expect(page).not.toContain("refused this trade's stop-loss");
  });

  it("says in plain words beside an open trade that the exchange refused its stop-loss and take-profit", async () => {
    const account = await insertExchangeAccount(t.store, alice.id, t.app.config.encryptionKey);
    const refusing = await insertStrategy(t.store, bob.id, { slug: "refused-pair" });
    const [sub] = await insertSubscriptions(t.store, refusing.id, 1, {
      userId: alice.id,
      brokerAccountId: account.id,
    });
    const {
      executionId,
      tradeIds: [tradeId],
    } = await recordOpenExchangeTrades(t.store, { strategyId: refusing.id, versionId: refusing.versionId }, [
      { subscriptionId: sub.id, userId: alice.id, brokerAccountId: account.id, clientOrderId: "cc-refused" },
    ]);
    await t.store.db.update(orders).set({ state: "filled" }).where(eq(orders.tradeId, tradeId));
    const reason = "Stop price would trigger immediately.";
    await insertProtectiveLegs(
      t.store.db,
      (["stop", "take_profit"] as const).map((leg) => ({
        tradeId,
        executionId,
        brokerAccountId: account.id,
        leg,
        clientOrderId: `cc-refused-${leg}`,
        symbol: "BTC/USDT",
        side: "sell" as const,
        quantity: 0.01,
        referencePrice: 100,
        triggerPrice: leg === "stop" ? 101 : 110,
      })),
    );
    await t.store.db
      .update(orders)
      .set({ state: "rejected", reason })
      .where(and(eq(orders.tradeId, tradeId), inArray(orders.leg, ["stop", "take_profit"])));

    const body = await (await load(detail, `/subscriptions/${sub.id}`, alice.cookie, { id: sub.id })).json();
    expect(body.trades).toMatchObject([
      {
        id: tradeId,
        status: "open",
        orders: [
          { leg: "open", state: "filled" },
          { leg: "stop", state: "rejected", reason },
          { leg: "take_profit", state: "rejected", reason },
        ],
      },
    ]);
    const page = renderToStaticMarkup(createElement(SubscriptionTrades, { trades: body.trades, limit: 50 }));
    expect(page).toContain(
      "The exchange refused this trade&#x27;s stop-loss and take-profit, so they do not rest on the exchange: " +
        "Candlecast checks them at each candle close instead. The exchange said: Stop price would trigger immediately.",
    );
  });

  it("404s every page and action on another user's subscription, and changes nothing", async () => {
    const id = await subscribeAlice();
    for (const route of [detail, edit, cancelPage]) {
      expect((await load(route, `/subscriptions/${id}`, bob.cookie, { id })).status).toBe(404);
    }
    for (const intent of ["pause", "cancel"]) {
      expect((await post(detail, `/subscriptions/${id}`, bob.cookie, { intent }, { id })).status).toBe(404);
    }
    expect(
      (await post(edit, `/subscriptions/${id}/edit`, bob.cookie, { ...VALID, capital: "1" }, { id })).status,
    ).toBe(404);
    const row = await t.store.db.query.subscriptions.findFirst({ where: eq(subscriptions.id, id) });
    expect(row).toMatchObject({ status: "active", capital: 2500 });
  });
});

describe("positions check warning", () => {
  it("shows a recorded difference on the account's subscription page and the broker page, to its owner only", async () => {
    const carol = await insertUser(t.store, "carol");
    const cookie = await signInAs(t, carol.id);
    const account = await insertExchangeAccount(t.store, carol.id, t.app.config.encryptionKey);
    const [onExchange] = await insertSubscriptions(t.store, strategy.id, 1, {
      userId: carol.id,
      brokerAccountId: account.id,
    });
    const [onPaper] = await insertSubscriptions(t.store, strategy.id, 1, {
      userId: carol.id,
      brokerAccountId: carol.paperBrokerId,
    });
    const check = { brokerAccountId: account.id, baseline: 0, checkedAt: 1_800_000_000_000 };
    await t.store.db.insert(positionChecks).values([
      { ...check, asset: "BTC", expected: 0.4, found: 0.5, differs: true },
      { ...check, asset: "ETH", expected: 2, found: 2, differs: false },
    ]);
    const shown = [
      { brokerAccountId: account.id, accountName: "Binance", asset: "BTC", expected: 0.4, found: 0.5 },
    ];

    const page = await (
      await load(detail, `/subscriptions/${onExchange.id}`, cookie, { id: onExchange.id })
    ).json();
    expect(page.positionMismatches).toMatchObject(shown);
    expect(mismatchSentence(page.positionMismatches[0])).toBe(
      "The exchange holds 0.5 BTC; your open trades say 0.4 BTC. Candlecast changes nothing: check the account.",
    );
    const paper = await (
      await load(detail, `/subscriptions/${onPaper.id}`, cookie, { id: onPaper.id })
    ).json();
    expect(paper.positionMismatches).toEqual([]);
    expect(
      (await (await load(brokers, "/settings/brokers", cookie)).json()).positionMismatches,
    ).toMatchObject(shown);
    expect((await (await load(brokers, "/settings/brokers", bob.cookie)).json()).positionMismatches).toEqual(
      [],
    );
  });
});
