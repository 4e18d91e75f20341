// The market chart's loader data through the real strategy and subscription routes: candles equal to the
// stored rows, signals and trades at their close times, the source picked, another user's trades never included.
import { RESOLUTION_MS } from "../../db/contracts/domain";
import { CHART_CANDLES, type MarketChartData } from "../../db/contracts/market-chart";
import type { StoredCandle } from "../../db/store/queries/candles";
import { createTestApp, loadRoute, signInAs, type TestApp } from "../../test/app-context";
import { signalsOn, storeSampleCandles } from "../../test/support/chart-market";
import { insertStrategy, insertSubscriptions, insertUser } from "../../test/support/store";
import * as strategyPage from "./strategies.$slug";
import * as subscriptionPage from "./subscriptions.$id";

const H = RESOLUTION_MS["1h"];
const T0 = Date.UTC(2026, 10, 1);
/** Open time of the i-th stored BTC candle; its close (an execution's close time) is one hour later. */
const bar = (i: number) => T0 + i * H;
const closeOf = (i: number) => bar(i) + H;
const BTC = { source: "binance", symbol: "BTC/USDT", resolution: "1h" } as const;

let t: TestApp;
let strategy: { id: string; slug: string; versionId: string };
let btc: StoredCandle[];
let eth: StoredCandle[];
const users: Record<"alice" | "bob", { id: string; cookie: string; subscriptionId: string }> = {} as never;
const tradeIds: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const db = t.store.db;
  const author = await insertUser(t.store, "author");
  strategy = await insertStrategy(t.store, author.id, {
    slug: "two-markets",
    symbols: ["BTC/USDT", "ETH/USDT"],
    resolution: "1h",
  });
  for (const name of ["alice", "bob"] as const) {
    const u = await insertUser(t.store, name);
    const [sub] = await insertSubscriptions(t.store, strategy.id, 1, {
      userId: u.id,
      brokerAccountId: u.paperBrokerId,
    });
    users[name] = { id: u.id, cookie: await signInAs(t, u.id), subscriptionId: sub.id };
  }
  // 320 exchange candles (the chart shows the newest 300), two of them filled; a few simulated ones
  // too, newer, which the chart must not pick: the executions read binance's.
  btc = await storeSampleCandles(db, BTC, { count: 320, start: T0, filled: [100, 101] });
  await storeSampleCandles(
    db,
    { source: "simulated", symbol: "BTC/USDT", resolution: "1h" },
    { count: 5, start: bar(320) },
  );
  eth = await storeSampleCandles(
    db,
    { source: "binance", symbol: "ETH/USDT", resolution: "1h" },
    { count: 40, start: T0, seed: 9, startPrice: 2_400 },
  );

  const at = signalsOn(db, strategy, BTC, btc);
  const sub = (name: "alice" | "bob", side: "LONG" | "SHORT") => ({
    subscriptionId: users[name].subscriptionId,
    userId: users[name].id,
    side,
  });
  const exit = (tradeId: string, i: number, pnl: number, exitReason: string) => ({
    tradeId,
    exitPrice: btc[i].close,
    pnl,
    exitReason,
  });
  // Before the window: not marked.
  await at(9, "BUY");
  [tradeIds.aliceLong, tradeIds.bobLong] = await at(50, "BUY", {
    opens: [sub("alice", "LONG"), sub("bob", "LONG")],
  });
  await at(60, "HOLD");
  [tradeIds.aliceShort] = await at(70, "SELL", {
    opens: [sub("alice", "SHORT")],
    closes: [
      exit(tradeIds.aliceLong, 70, 1.5, "opposite_signal"),
      exit(tradeIds.bobLong, 70, 1.5, "opposite_signal"),
    ],
  });
  await at(80, "CLOSE", { closes: [exit(tradeIds.aliceShort, 80, -0.5, "signal")] });
  await at(90, "BUY", { status: "FAILED" });
  // Bob's own position on the last candle: never on Alice's chart.
  [tradeIds.bobLast] = await at(319, "BUY", { opens: [sub("bob", "LONG")] });
});
afterAll(() => t.close());

async function chartOf(path: string, route: Parameters<typeof loadRoute>[1], cookie: string, params: object) {
  const res = await loadRoute(t, route, path, cookie, params as Record<string, string>);
  expect(res.status).toBe(200);
  return ((await res.json()) as { chart: MarketChartData }).chart;
}
const onStrategyPage = (search = "") =>
  chartOf(`/strategies/${strategy.slug}${search}`, strategyPage, "", { slug: strategy.slug });
const onSubscriptionPage = (name: "alice" | "bob") =>
  chartOf(`/subscriptions/${users[name].subscriptionId}`, subscriptionPage, users[name].cookie, {
    id: users[name].subscriptionId,
  });

describe("the strategy page's chart", () => {
  it("shows the newest 300 stored candles of the first market, from the source its executions read", async () => {
    const chart = await onStrategyPage();
    expect(chart).toMatchObject({
      symbol: "BTC/USDT",
      symbols: ["BTC/USDT", "ETH/USDT"],
      resolution: "1h",
      source: "binance",
      trades: null,
    });
    expect(chart.candles).toHaveLength(CHART_CANDLES);
    expect(chart.candles).toEqual(btc.slice(-CHART_CANDLES));
    expect(chart.candles.filter((c) => c.filled).map((c) => c.time)).toEqual([bar(100), bar(101)]);
  });

  it("marks BUY, SELL and CLOSE of completed executions at their close times, never HOLD or a failure", async () => {
    const chart = await onStrategyPage();
    expect(chart.signals).toEqual([
      { closeTime: closeOf(50), signal: "BUY", price: btc[50].close },
      { closeTime: closeOf(70), signal: "SELL", price: btc[70].close },
      { closeTime: closeOf(80), signal: "CLOSE", price: btc[80].close },
      { closeTime: closeOf(319), signal: "BUY", price: btc[319].close },
    ]);
  });

  it("switches to another market the strategy trades with ?market=, and ignores one it does not", async () => {
    const chart = await onStrategyPage(`?market=${encodeURIComponent("ETH/USDT")}`);
    // No execution on ETH/USDT yet: the source the strategy's latest execution read, not the deployment's.
    expect(chart).toMatchObject({ symbol: "ETH/USDT", source: "binance", signals: [] });
    expect(chart.candles).toEqual(eth);
    expect((await onStrategyPage("?market=DOGE%2FUSDT")).symbol).toBe("BTC/USDT");
  });

  it("falls back to the deployment's source and answers no candles where the store has none", async () => {
    const author = await insertUser(t.store, "newcomer");
    const fresh = await insertStrategy(t.store, author.id, { slug: "brand-new", symbols: ["SOL/USDT"] });
    t.app.config.marketData = { source: "binance", waitBudgetMs: 2_000 };
    try {
      const res = await loadRoute(t, strategyPage, `/strategies/${fresh.slug}`, "", { slug: fresh.slug });
      const { chart } = (await res.json()) as { chart: MarketChartData };
      expect(chart).toMatchObject({
        symbol: "SOL/USDT",
        resolution: "1m",
        source: "binance",
        candles: [],
        signals: [],
      });
    } finally {
      t.app.config.marketData = { source: "simulated", waitBudgetMs: 2_000 };
    }
  });
});

describe("the subscription page's chart", () => {
  it("marks the subscription's own entries and exits with side, prices and reasons", async () => {
    const chart = await onSubscriptionPage("alice");
    expect(chart.candles).toEqual(btc.slice(-CHART_CANDLES));
    expect(chart.signals.map((s) => s.closeTime)).toEqual([
      closeOf(50),
      closeOf(70),
      closeOf(80),
      closeOf(319),
    ]);
    // Each position from the candle whose close opened it to the one whose close ended it.
    const position = (id: string, side: string, from: number, to: number, exitReason: string) => ({
      id,
      side,
      entryPrice: btc[from].close,
      openedAt: closeOf(from),
      exitPrice: btc[to].close,
      closedAt: closeOf(to),
      exitReason,
    });
    expect(chart.trades).toEqual([
      position(tradeIds.aliceLong, "LONG", 50, 70, "opposite_signal"),
      position(tradeIds.aliceShort, "SHORT", 70, 80, "signal"),
    ]);
  });

  it("never includes another user's trades, and another user's subscription is a 404", async () => {
    const bob = await onSubscriptionPage("bob");
    expect(bob.trades!.map((tr) => tr.id)).toEqual([tradeIds.bobLong, tradeIds.bobLast]);
    const alice = await onSubscriptionPage("alice");
    expect(alice.trades!.map((tr) => tr.id)).not.toContain(tradeIds.bobLong);
    const res = await loadRoute(
      t,
      subscriptionPage,
      `/subscriptions/${users.alice.subscriptionId}`,
      users.bob.cookie,
      {
        id: users.alice.subscriptionId,
      },
    );
    expect(res.status).toBe(404);
  });
});
