// The author job handlers end to end on a real libSQL file and the real sandboxed runtime: validate and backtest.
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { outboxMessageSchema, type OutboxEvent } from "../../db/contracts/events";
import { createInfra, type Infra } from "../../db/infra/index.server";
import { BacktestInputError, createBacktest, getBacktest } from "../../db/store/queries/backtests";
import { insertCandles } from "../../db/store/queries/candles";
import { simulatedCandles } from "../market-data/simulated-feed";
import { backtests, events } from "../../db/store/schema";
import { createTestStore, insertStrategy, insertUser, type TestStore } from "../../test/support/store";
import { backtestRequestSchema } from "../../db/contracts/validation/backtest";
import { RISK_DEFAULTS_INPUT } from "../../db/contracts/validation/risk-settings";
import { createStrategyRunner, type StrategyRunner } from "../runtime";
import { runBacktest } from "./run-backtest";
import { validateStrategy } from "./validate-strategy";

const SMA = readFileSync(
  fileURLToPath(new URL("../../python/examples/sma_crossover.py", import.meta.url)),
  "utf8",
);
const BROKEN_SYNTAX =
  "from candlecast import Strategy, Signal\n\nclass Broken(Strategy):\n    def on_candle(self, candles, **kwargs)\n        return Signal.hold()\n";
const BROKEN_RUNTIME = `from candlecast import Strategy, Signal

class Crashy(Strategy):
    lookback = 20
    def on_candle(self, candles, **kwargs):
        self.log("looking at %d candles" % len(candles))
        return Signal.buy() if candles.close[-1] > missing_name else Signal.hold()
`;

let store: TestStore;
let infra: Infra;
let runner: StrategyRunner;
let published: OutboxEvent[];
let slugs = 0;

beforeAll(async () => {
  store = await createTestStore();
  infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  runner = createStrategyRunner({ maxConcurrent: 4 });
});
afterAll(async () => {
  await infra.close();
  store.cleanup();
});
let unsubscribe: () => Promise<void>;
beforeEach(async () => {
  published = [];
  unsubscribe = await infra.bus.subscribe(CHANNELS.outbox, (m) =>
    published.push(...outboxMessageSchema.parse(m).events),
  );
});
afterEach(() => unsubscribe());

const deps = () => ({ store, bus: infra.bus, runner });

describe("validate-strategy", () => {
  it("runs good code and reports its signal, the action counts and the declared lookback", async () => {
    const user = await insertUser(store);
    const result = await validateStrategy(deps(), {
      requestId: "r-good",
      userId: user.id,
      code: SMA,
      params: {},
    });
    expect(result).toMatchObject({ ok: true, requestId: "r-good", lookback: 100 });
    if (!result.ok) throw new Error("expected ok");
    expect(["BUY", "SELL", "HOLD", "CLOSE"]).toContain(result.signal.action);
    expect(Object.values(result.actions).reduce((a, b) => a + b, 0)).toBe(result.candles);
    await vi.waitFor(() => expect(published).toHaveLength(1));
    expect(published).toEqual([
      expect.objectContaining({ type: "validation.result", userId: user.id, payload: result }),
    ]);
    const rows = await store.db.select().from(events).where(eq(events.userId, user.id));
    expect(rows.map((r) => r.type)).toEqual(["validation.result"]);
  });

  it("reports a syntax error with its line", async () => {
    const user = await insertUser(store);
    const result = await validateStrategy(deps(), {
      requestId: "r-syntax",
      userId: user.id,
      code: BROKEN_SYNTAX,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("syntax");
    expect(`${result.error.message}\n${result.error.traceback}`).toMatch(/line 4/);
  });

  it("reports a runtime error with the traceback and the strategy's own log lines", async () => {
    const user = await insertUser(store);
    const result = await validateStrategy(deps(), {
      requestId: "r-runtime",
      userId: user.id,
      code: BROKEN_RUNTIME,
      symbol: "ETH/USDT",
      resolution: "15m",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: "runtime", message: expect.stringContaining("missing_name") });
    expect(result.error.traceback).toContain("on_candle");
    expect(result.error.logs.join("\n")).toContain("looking at 20 candles");
  });

  it("refuses a payload that does not match the queue's schema", async () => {
    await expect(validateStrategy(deps(), { requestId: "x", code: SMA })).rejects.toThrow(/userId/);
  });
});

describe("run-backtest", () => {
  const HOUR = 3_600_000;
  const to = Date.UTC(2025, 0, 1);
  async function queued(userId: string, strategyId: string, bars: number, marketSource = "simulated") {
    const request = backtestRequestSchema.parse({
      ...RISK_DEFAULTS_INPUT,
      symbol: "BTC/USDT",
      from: to - bars * HOUR,
      to,
    });
    const created = await createBacktest(store.db, userId, strategyId, request, { marketSource });
    if (!created) throw new Error("not created");
    return created.id;
  }

  it("produces trades, an equity curve and stats with progress events, deterministically", async () => {
    const author = await insertUser(store, "author");
    const strategy = await insertStrategy(store, author.id, {
      code: SMA,
      resolution: "1h",
      slug: `sma-${++slugs}`,
    });
    const first = await queued(author.id, strategy.id, 3000);
    expect(await runBacktest({ ...deps(), chunkBars: 1000 }, { backtestId: first })).toBe("completed");
    await vi.waitFor(() =>
      expect(published).toContainEqual(
        expect.objectContaining({ payload: expect.objectContaining({ status: "completed" }) }),
      ),
    );
    const progress = published
      .filter((e) => e.type === "backtest.progress")
      .map((e) => e.payload as { status: string; progress: number });
    expect(progress.map((p) => p.status)).toEqual(["running", "running", "running", "completed"]);
    expect(progress.map((p) => p.progress)).toEqual([0, 0.3, 0.6, 1]);

    const done = await getBacktest(store.db, author.id, first);
    expect(done).toMatchObject({ status: "completed", progress: 1, error: null });
    const trades = done!.trades as { pnl: number; closedAt: number; openedAt: number; exitReason: string }[];
    expect(trades.length).toBeGreaterThan(5);
    expect(done!.stats).toMatchObject({ trades: trades.length });
    const equity = done!.equity!;
    expect(equity[0]).toEqual([to - 3000 * HOUR, 1000]);
    const totalPnl = trades.reduce((s, t) => s + t.pnl, 0);
    expect(equity.at(-1)![1]).toBeCloseTo(1000 + totalPnl, 6);
    expect(done!.stats!.returnPct).toBeCloseTo(totalPnl / 10, 6);
    for (const t of trades) {
      expect(t.openedAt).toBeGreaterThanOrEqual(to - 3000 * HOUR);
      expect(t.closedAt).toBeLessThanOrEqual(to);
      expect(["stop_loss", "take_profit", "opposite_signal", "signal_close", "end_of_period"]).toContain(
        t.exitReason,
      );
    }

    // Another chunking, the same result: the warm-up overlap makes every chunk see the windows live would.
    const second = await queued(author.id, strategy.id, 3000);
    expect(await runBacktest({ ...deps(), chunkBars: 700 }, { backtestId: second })).toBe("completed");
    const again = await getBacktest(store.db, author.id, second);
    expect(again!.trades).toEqual(done!.trades);
    expect(again!.stats).toEqual(done!.stats);
    expect(again!.equity).toEqual(done!.equity);
  });

  it("reads an exchange's stored history: the same candles give the same result, a missing stretch is named", async () => {
    const author = await insertUser(store, "author");
    const strategy = await insertStrategy(store, author.id, {
      code: SMA,
      resolution: "1h",
      slug: `sma-${++slugs}`,
    });
    const bars = 600;
    const market = { source: "binance", symbol: "BTC/USDT", resolution: "1h" };
    // The class's lookback is 100: the run reads 699 candles, though the version (lookback 50) promises 649.
    const history = simulatedCandles("BTC/USDT", "1h", to, bars + 99).map((c) => ({ ...c, filled: false }));
    await insertCandles(store.db, market, history.slice(199));
    const missing = await queued(author.id, strategy.id, bars, "binance").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(BacktestInputError);
    expect((missing as BacktestInputError).field).toBe("source");
    expect((missing as Error).message).toMatch(
      /^649 binance BTC\/USDT 1h candles are needed, from 2024-12-04 23:00 UTC .*; 149 are missing: 2024-12-04 23:00 to 2024-12-11 04:00 UTC \(149 candles\)\. .*npm run data -- download --symbols BTC\/USDT --resolution 1h --from 2024-12-04 --to 2024-12-12, or choose the simulated market/,
    );
    await insertCandles(store.db, market, history.slice(50, 199));
    const short = await queued(author.id, strategy.id, bars, "binance");
    expect(await runBacktest(deps(), { backtestId: short })).toBe("failed");
    expect((await getBacktest(store.db, author.id, short))!.error).toMatch(
      /^market_data: 699 binance BTC\/USDT 1h candles are needed, .*; 50 are missing: 2024-12-02 21:00 to 2024-12-04 23:00 UTC \(50 candles\)/,
    );
    await insertCandles(store.db, market, history.slice(0, 50));
    const stored = await queued(author.id, strategy.id, bars, "binance");
    const simulated = await queued(author.id, strategy.id, bars, "simulated");
    for (const id of [stored, simulated])
      expect(await runBacktest(deps(), { backtestId: id })).toBe("completed");
    const [a, b] = await Promise.all([
      getBacktest(store.db, author.id, stored),
      getBacktest(store.db, author.id, simulated),
    ]);
    expect(a).toMatchObject({ marketSource: "binance", status: "completed" });
    expect(b).toMatchObject({ marketSource: "simulated" });
    expect((a!.trades ?? []).length).toBeGreaterThan(0);
    expect(a!.trades).toEqual(b!.trades);
    expect(a!.equity).toEqual(b!.equity);
  });

  it("is idempotent: a redelivered job of a finished backtest does nothing", async () => {
    const author = await insertUser(store, "author");
    const strategy = await insertStrategy(store, author.id, {
      code: SMA,
      resolution: "1h",
      slug: `sma-${++slugs}`,
    });
    const id = await queued(author.id, strategy.id, 500);
    expect(await runBacktest(deps(), { backtestId: id })).toBe("completed");
    const before = await store.db.select().from(events);
    expect(await runBacktest(deps(), { backtestId: id })).toBe("skipped");
    expect(await store.db.select().from(events)).toHaveLength(before.length);
  });

  it("fails with the strategy's typed error when its code breaks", async () => {
    const author = await insertUser(store, "author");
    const strategy = await insertStrategy(store, author.id, {
      code: BROKEN_RUNTIME,
      resolution: "1h",
      slug: "crashy",
    });
    const id = await queued(author.id, strategy.id, 200);
    expect(await runBacktest(deps(), { backtestId: id })).toBe("failed");
    const row = await store.db.query.backtests.findFirst({ where: eq(backtests.id, id) });
    expect(row).toMatchObject({ status: "failed", error: expect.stringMatching(/^runtime: .*missing_name/) });
    expect(row!.error).toContain("looking at 20 candles");
  });

  it("shows another user's backtest of a raising public strategy no source line and no log", async () => {
    const author = await insertUser(store, "author");
    const visitor = await insertUser(store, "visitor");
    const strategy = await insertStrategy(store, author.id, {
      code: BROKEN_RUNTIME,
      resolution: "1h",
      slug: "crashy-public",
    });
    const id = await queued(visitor.id, strategy.id, 200);
    expect(await runBacktest(deps(), { backtestId: id })).toBe("failed");
    const row = await store.db.query.backtests.findFirst({ where: eq(backtests.id, id) });
    expect(row).toMatchObject({ status: "failed", error: expect.stringMatching(/^runtime: /) });
    for (const secret of ["missing_name", "on_candle", "looking at", "line "]) {
      expect(row!.error).not.toContain(secret);
    }
    const progress = await store.db.select().from(events).where(eq(events.userId, visitor.id));
    expect(progress.map((e) => e.payload).join("\n")).not.toContain("missing_name");
  });
});
