// The marketplace and strategy-page loaders against a real libSQL file: search, filters, sort, pages, 404s and stats.
import type { AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { newId } from "../db/platform/ids";
import { recordExecution } from "../db/store/queries/executions";
import { refreshStrategyPerformance } from "../db/store/queries/marketplace";
import { createStrategy, publishVersion } from "../db/store/queries/strategies";
import { backtests, strategies } from "../db/store/schema";
import { insertSubscriptions, insertUser, SAMPLE_CODE, type TestStore } from "../test/support/store";
import { createTestApp, type TestApp } from "../test/app-context";
import { loader as marketplaceLoader } from "./routes/_index";
import { loader as strategyLoader } from "./routes/strategies.$slug";

let testApp: TestApp;
let store: TestStore;
let context: AppLoadContext;
let authorId: string;
const ids: Record<string, string> = {};
const versionIds: Record<string, string> = {};

async function addStrategy(opts: {
  slug: string;
  name: string;
  description?: string;
  tags: string[];
  symbols: string[];
  resolution: "5m" | "1h" | "1d";
  visibility?: "public" | "draft";
  subscriberCount: number;
  returnPct?: number;
  createdAt: number;
}) {
  const { id } = await createStrategy(store.db, authorId, {
    name: opts.name,
    slug: opts.slug,
    description: opts.description ?? "",
    tags: opts.tags,
    visibility: opts.visibility ?? "public",
  });
  const version = await publishVersion(store.db, authorId, id, {
    version: "1.0.0",
    code: SAMPLE_CODE,
    symbols: opts.symbols,
    resolution: opts.resolution,
    lookback: 50,
    params: {},
    changelog: "First release.",
  });
  await store.db
    .update(strategies)
    .set({ subscriberCount: opts.subscriberCount, returnPct: opts.returnPct ?? 0, createdAt: opts.createdAt })
    .where(eq(strategies.id, id));
  ids[opts.slug] = id;
  versionIds[opts.slug] = version!.id;
}

beforeAll(async () => {
  testApp = await createTestApp();
  ({ store, context } = testApp);
  authorId = (await insertUser(store, "Ada Quant")).id;
  const t0 = 1_700_000_000_000;
  await addStrategy({
    slug: "momentum-rider",
    name: "Momentum Rider",
    description: "Rides strong trends.",
    tags: ["trend", "momentum"],
    symbols: ["BTC/USDT", "ETH/USDT"],
    resolution: "1h",
    subscriberCount: 30,
    returnPct: 12.5,
    createdAt: t0,
  });
  await addStrategy({
    slug: "rsi-reversion",
    name: "Mean Reversion RSI",
    tags: ["mean-reversion"],
    symbols: ["ETH/USDT"],
    resolution: "5m",
    subscriberCount: 10,
    returnPct: -3,
    createdAt: t0 + 2000,
  });
  await addStrategy({
    slug: "breakout-hunter",
    name: "Breakout Hunter",
    description: "Trades the volatility squeeze, 100% mechanical.",
    tags: ["breakout"],
    symbols: ["SOL/USDT"],
    resolution: "1h",
    subscriberCount: 50,
    returnPct: 4,
    createdAt: t0 + 1000,
  });
  await addStrategy({
    slug: "secret-sauce",
    name: "Secret Sauce",
    tags: ["trend", "hidden-tag"],
    symbols: ["BTC/USDT"],
    resolution: "1h",
    visibility: "draft",
    subscriberCount: 999,
    returnPct: 99,
    createdAt: t0 + 9000,
  });
  for (let i = 0; i < 25; i++) {
    await addStrategy({
      slug: `filler-${i}`,
      name: `Filler ${String(i).padStart(2, "0")}`,
      tags: ["filler"],
      symbols: ["DOGE/USDT"],
      resolution: "1d",
      subscriberCount: i,
      createdAt: t0 - 100_000 + i,
    });
  }
});
afterAll(() => testApp.close());

type MarketData = Awaited<ReturnType<Awaited<ReturnType<typeof marketplaceLoader>>["json"]>>;
async function market(search: string): Promise<MarketData> {
  const res = await marketplaceLoader({ request: new Request(`http://test/${search}`), context, params: {} });
  return res.json();
}
const slugs = (d: MarketData) => d.items.map((i) => i.slug);

describe("marketplace loader", () => {
  it("lists public strategies by subscribers, 12 a page, never drafts", async () => {
    const d = await market("");
    expect(d.total).toBe(28);
    expect(d.pageCount).toBe(3);
    expect(d.items).toHaveLength(12);
    expect(slugs(d).slice(0, 4)).toEqual(["breakout-hunter", "momentum-rider", "filler-24", "filler-23"]);
    expect(d.filtered).toBe(false);
    expect(d.items[0]).toMatchObject({ authorName: "Ada Quant", symbols: ["SOL/USDT"], resolution: "1h" });
    const all = [...slugs(d), ...slugs(await market("?page=2")), ...slugs(await market("?page=3"))];
    expect(new Set(all).size).toBe(28);
    expect(all).not.toContain("secret-sauce");
  });

  it.each([
    ["?q=breakout", ["breakout-hunter"]],
    ["?q=SQUEEZE", ["breakout-hunter"]],
    ["?q=mean-rev", ["rsi-reversion"]],
    ["?q=momentum", ["momentum-rider"]],
    ["?q=sauce", []],
    ["?q=100%25", ["breakout-hunter"]],
    ["?q=%25%25", []],
    ["?symbol=ETH/USDT", ["momentum-rider", "rsi-reversion"]],
    ["?symbol=ETH/USDT&resolution=1h", ["momentum-rider"]],
    ["?tag=trend", ["momentum-rider"]],
    ["?tag=hidden-tag", []],
    ["?resolution=5m&q=rsi", ["rsi-reversion"]],
  ])("%s matches %j", async (search, expected) => {
    const d = await market(search);
    expect(slugs(d)).toEqual(expected);
    expect(d.total).toBe(expected.length);
    expect(d.filtered).toBe(true);
  });

  it("sorts by return and by newest", async () => {
    expect(slugs(await market("?sort=return")).slice(0, 3)).toEqual([
      "momentum-rider",
      "breakout-hunter",
      "filler-24",
    ]);
    expect(slugs(await market("?sort=return")).at(-1)).not.toBe("rsi-reversion");
    const pages = await Promise.all([1, 2, 3].map((p) => market(`?sort=return&page=${p}`)));
    expect(pages.flatMap(slugs).at(-1)).toBe("rsi-reversion");
    expect(slugs(await market("?sort=newest")).slice(0, 3)).toEqual([
      "rsi-reversion",
      "breakout-hunter",
      "momentum-rider",
    ]);
  });

  it("clamps the page and ignores values that do not parse", async () => {
    const last = await market("?page=99");
    expect(last.page).toBe(3);
    expect(last.items).toHaveLength(4);
    const bad = await market("?page=abc&sort=bogus&symbol=not-a-symbol&resolution=7m&tag=%20");
    expect(bad.query).toMatchObject({ page: 1, sort: "subscribers" });
    expect(bad.total).toBe(28);
    expect(bad.filtered).toBe(false);
  });

  it("gives a card without live trades its author's latest backtest's return and equity, thinned", async () => {
    const strategyId = ids["filler-1"];
    const stranger = await insertUser(store, "another backtester");
    const curve = (n: number, from: number): [number, number][] =>
      Array.from({ length: n }, (_, i) => [1_690_000_000_000 + i * 3_600_000, from + i * 0.5]);
    const row = (userId: string, createdAt: number, equity: [number, number][]) => ({
      id: newId(),
      strategyId,
      versionId: versionIds["filler-1"],
      userId,
      symbol: "DOGE/USDT",
      resolution: "1d",
      fromTime: 1_690_000_000_000,
      toTime: 1_695_000_000_000,
      settings: {},
      status: "completed" as const,
      stats: { returnPct: 9.99, trades: 3 },
      equity,
      createdAt,
    });
    await store.db
      .insert(backtests)
      .values([row(authorId, 1000, curve(2001, 10_000)), row(stranger.id, 2000, curve(5, 50))]);
    const card = async () => (await market("?q=Filler 01")).items[0];

    const before = await card();
    expect(before).toMatchObject({ slug: "filler-1", tradesCount: 0, backtestReturnPct: 9.99 });
    expect(before.backtestSparkline).toHaveLength(32);
    expect(before.backtestSparkline[0]).toBe(10_000);
    expect(before.backtestSparkline.at(-1)).toBe(11_000);
    expect([...before.backtestSparkline].sort((a, b) => a - b)).toEqual(before.backtestSparkline);

    // Once live trades have closed, the card's sparkline is theirs; the backtest's is not read.
    await store.db.update(strategies).set({ tradesCount: 1 }).where(eq(strategies.id, strategyId));
    expect((await card()).backtestSparkline).toEqual([]);
  });

  it("offers the filter choices of public strategies only", async () => {
    const { facets } = await market("");
    expect(facets.symbols).toEqual([
      { value: "BTC/USDT", count: 1 },
      { value: "DOGE/USDT", count: 25 },
      { value: "ETH/USDT", count: 2 },
      { value: "SOL/USDT", count: 1 },
    ]);
    expect(facets.tags[0]).toEqual({ value: "filler", count: 25 });
    expect(facets.tags.map((t) => t.value)).not.toContain("hidden-tag");
  });
});

describe("strategy page loader", () => {
  const page = async (slug: string) => {
    const res = await strategyLoader({
      request: new Request(`http://test/strategies/${slug}`),
      context,
      params: { slug },
    });
    return res.json();
  };
  const thrownStatus = (slug: string) =>
    page(slug).then(
      () => 200,
      (e: unknown) => (e instanceof Response ? e.status : -1),
    );

  it("answers 404 for a draft and for an unknown slug", async () => {
    expect(await thrownStatus("secret-sauce")).toBe(404);
    expect(await thrownStatus("no-such-strategy")).toBe(404);
  });

  it("shows versions with changelog, newest first", async () => {
    await publishVersion(store.db, authorId, ids["momentum-rider"], {
      version: "1.1.0",
      code: SAMPLE_CODE,
      symbols: ["BTC/USDT", "ETH/USDT"],
      resolution: "1h",
      lookback: 50,
      params: {},
      changelog: "Wider stops.",
    });
    const d = await page("momentum-rider");
    expect(d.strategy).toMatchObject({
      name: "Momentum Rider",
      authorName: "Ada Quant",
      symbols: ["BTC/USDT", "ETH/USDT"],
    });
    expect(d.strategy).not.toHaveProperty("authorId");
    expect(d.versions.map((v) => [v.version, v.changelog, v.latest])).toEqual([
      ["1.1.0", "Wider stops.", true],
      ["1.0.0", "First release.", false],
    ]);
    expect(d.performance).toMatchObject({ trades: 0, returnPct: 0, winRate: null, equity: [] });
    expect(d.backtests).toEqual([]);
  });

  it("computes live performance from closed trades and refreshes the cached card figures", async () => {
    const strategyId = ids["breakout-hunter"];
    const subs = await insertSubscriptions(store, strategyId, 2);
    const day = 86_400_000;
    const start = 1_700_000_000_000 - (1_700_000_000_000 % day) + day / 2;
    const tradeIds = [
      [newId(), newId()],
      [newId(), newId()],
    ];
    const execution = (n: number, signal: string, price: number) => ({
      id: newId(),
      strategyId,
      versionId: versionIds["breakout-hunter"],
      symbol: "SOL/USDT",
      resolution: "1h",
      closeTime: start + n * day,
      status: "COMPLETED" as const,
      signal,
      price,
      subscriberCount: 2,
      log: "secret strategy log line",
      startedAt: start + n * day,
      finishedAt: start + n * day + 5,
    });
    const open = (round: number) =>
      subs.map((s, i) => ({
        id: tradeIds[round][i],
        subscriptionId: s.id,
        userId: s.userId,
        symbol: "SOL/USDT",
        status: "open" as const,
        side: "LONG" as const,
        quantity: 1,
        entryPrice: 100,
      }));
    // Capital is 1000 for both: round one makes +20 and +40 (average +3 %), round two -10 and -10 (-1 %).
    await recordExecution(store.db, { execution: execution(0, "BUY", 100), trades: open(0) });
    await recordExecution(store.db, {
      execution: execution(1, "CLOSE", 130),
      closes: [
        { tradeId: tradeIds[0][0], exitPrice: 120, exitFee: 0, pnl: 20, exitReason: "signal" },
        { tradeId: tradeIds[0][1], exitPrice: 140, exitFee: 0, pnl: 40, exitReason: "signal" },
      ],
    });
    await recordExecution(store.db, { execution: execution(2, "BUY", 100), trades: open(1) });
    // Round two is under water at 80 before it closes at 90: −20 on 1,000 of capital is −2 % marked.
    await recordExecution(store.db, { execution: execution(2.5, "HOLD", 80) });
    await recordExecution(store.db, {
      execution: execution(3, "CLOSE", 90),
      closes: [
        { tradeId: tradeIds[1][0], exitPrice: 90, exitFee: 0, pnl: -10, exitReason: "stop_loss" },
        { tradeId: tradeIds[1][1], exitPrice: 90, exitFee: 0, pnl: -10, exitReason: "stop_loss" },
      ],
    });

    const d = await page("breakout-hunter");
    // Closed trades: 100 -> 103 -> 102, return 2 %, drawdown 1/103, profit factor 3/1. Marked to market at
    // each close: 100 (start), 100, 103, 103, 101 (round two at 80), 102: drawdown 2/103.
    expect(d.performance.trades).toBe(2);
    expect(d.performance.returnPct).toBeCloseTo(2, 9);
    expect(d.performance.winRate).toBe(0.5);
    expect(d.performance.profitFactor).toBeCloseTo(3, 9);
    expect(d.performance.closedMaxDrawdownPct).toBeCloseTo(100 / 103, 9);
    expect(d.performance.maxDrawdownPct).toBeCloseTo(200 / 103, 9);
    expect(d.performance.equityBasis).toBe("marked");
    const marked = d.performance.equity.map((p) => p.value);
    [100, 100, 103, 103, 101, 102].forEach((v, i) => expect(marked[i]).toBeCloseTo(v, 9));
    expect(marked).toHaveLength(6);
    expect(d.performance.equity[0].time).toBe(start);
    expect(d.performance).toMatchObject({
      avgTradePct: 1,
      bestTradePct: 3,
      worstTradePct: -1,
      maxConsecutiveLosses: 1,
    });

    expect(d.signals.map((s) => s.signal)).toEqual(["CLOSE", "HOLD", "BUY", "CLOSE", "BUY"]);
    expect(d.signals[2]).toMatchObject({ status: "COMPLETED", subscriberCount: 2, tradesCreated: 2 });
    expect(JSON.stringify(d)).not.toContain("secret strategy log line");

    await refreshStrategyPerformance(store.db, strategyId);
    const card = (await market("?q=breakout")).items[0];
    expect(card).toMatchObject({ tradesCount: 2, winRate: 0.5, sparkline: [100, 103, 102] });
    expect(card.returnPct).toBeCloseTo(2, 9);
  });

  it("says the live figures are on the closed-trade curve when no execution recorded a close price", async () => {
    const strategyId = ids["filler-0"];
    const [sub] = await insertSubscriptions(store, strategyId, 1);
    const day = 86_400_000;
    const start = 1_700_000_000_000 - (1_700_000_000_000 % day);
    const tradeId = newId();
    const execution = (n: number, signal: string) => ({
      id: newId(),
      strategyId,
      versionId: versionIds["filler-0"],
      symbol: "DOGE/USDT",
      resolution: "1d",
      closeTime: start + n * day,
      status: "COMPLETED" as const,
      signal,
      price: null,
      subscriberCount: 1,
      startedAt: start + n * day,
      finishedAt: start + n * day + 5,
    });
    await recordExecution(store.db, {
      execution: execution(0, "BUY"),
      trades: [
        {
          id: tradeId,
          subscriptionId: sub.id,
          userId: sub.userId,
          symbol: "DOGE/USDT",
          status: "open" as const,
          side: "LONG" as const,
          quantity: 1,
          entryPrice: 100,
        },
      ],
    });
    await recordExecution(store.db, {
      execution: execution(1, "CLOSE"),
      closes: [{ tradeId, exitPrice: 130, exitFee: 0, pnl: 30, exitReason: "signal" }],
    });

    const { performance } = await page("filler-0");
    expect(performance.equityBasis).toBe("closed");
    expect(performance.trades).toBe(1);
    expect(performance.equity.map((p) => p.value)).toEqual([100, 103]);
  });

  it("shows the author's latest completed backtest per version, and no one else's", async () => {
    const strategyId = ids["rsi-reversion"];
    const versionId = versionIds["rsi-reversion"];
    const stranger = await insertUser(store, "stranger");
    const row = (userId: string, status: "completed" | "failed", createdAt: number, returnPct: number) => ({
      id: newId(),
      strategyId,
      versionId,
      userId,
      symbol: "ETH/USDT",
      resolution: "5m",
      fromTime: 1_690_000_000_000,
      toTime: 1_695_000_000_000,
      settings: {},
      status,
      stats: { returnPct, winRate: 0.6, sharpe: 1.2, trades: 40 },
      equity: [
        [1_690_000_000_000, 100],
        [1_695_000_000_000, 100 + returnPct],
      ] as [number, number][],
      createdAt,
    });
    await store.db
      .insert(backtests)
      .values([
        row(authorId, "completed", 1000, 5),
        row(authorId, "completed", 2000, 7.5),
        row(authorId, "failed", 3000, 0),
        row(stranger.id, "completed", 4000, 80),
      ]);
    const d = await page("rsi-reversion");
    expect(d.backtests).toHaveLength(1);
    expect(d.backtests[0]).toMatchObject({
      version: "1.0.0",
      symbol: "ETH/USDT",
      stats: { returnPct: 7.5, trades: 40 },
    });
    expect(d.backtests[0].equity).toEqual([
      { time: 1_690_000_000_000, value: 100 },
      { time: 1_695_000_000_000, value: 107.5 },
    ]);
  });
});
