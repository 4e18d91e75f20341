// Real market data across processes: the exchange simulator over HTTP (its own process) and two worker
// processes with MARKET_DATA=exchange:binance pointed at it.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { sql } from "drizzle-orm";
import { RESOLUTION_MS, type Candle } from "../db/contracts/domain";
import { csvSource } from "../scripts/exchange-sim/candle-source";
import { writeCandleCsv } from "../test/support/exchange-sim-process";
import { startMarketDeployment, type MarketDeployment } from "../test/support/worker/market-deployment";
import { windowEcho } from "../test/support/worker/strategies";
import { latestClose } from "./boundaries";
import type { CandleJob } from "./candle-jobs";
import { simulatedCandles } from "./market-data/simulated-feed";

const MINUTE = RESOLUTION_MS["1m"];
/** WINDOW_ECHO_CODE's class lookback: the candles its on_candle sees. */
const LOOKBACK = 10;
const keysAt = (ids: string[], symbol: string, closeTime: number): CandleJob[] =>
  ids.map((strategyId) => ({ strategyId, symbol, resolution: "1m", closeTime }));

describe("a CSV replayed as the live market", () => {
  // An irregular path, so a window shifted by one candle or read from another market cannot match.
  const ROWS: Candle[] = Array.from({ length: 400 }, (_, i) => {
    const close = 100 + 7 * Math.sin(i / 9) + i * 0.013;
    return {
      time: i * MINUTE,
      open: close - 0.21,
      high: close + 0.5,
      low: close - 0.6,
      close,
      volume: 3 + (i % 17),
    };
  });
  let d: MarketDeployment;
  beforeAll(async () => {
    d = await startMarketDeployment({
      name: "realmarket",
      simArgs: ["--candles", writeCandleCsv(ROWS), "--symbols", "BTC/USDT,ETH/USDT"],
      workers: 2,
      waitBudgetMs: 10_000,
    });
  });
  afterAll(() => d?.cleanup());

  /** What the simulator serves: the CSV laid onto the present, its last row the candle in progress at start. */
  const served = (closeTime: number, count: number) =>
    csvSource(ROWS, d.sim.replayStart! + (ROWS.length - 1) * MINUTE).candles(
      "",
      "1m",
      closeTime - count * MINUTE,
      closeTime - MINUTE,
    );

  it("executes each strategy on the exchange's candles, with one exchange request per market per close", async () => {
    const btc = await d.addStrategies("BTC/USDT", 50);
    const eth = await d.addStrategies("ETH/USDT", 10);
    const last = latestClose(Date.now(), "1m");
    const closes = [last - MINUTE, last];
    await d.sim.resetRequests();
    for (const [n, closeTime] of closes.entries()) {
      const report = await d.run([
        ...keysAt(btc, "BTC/USDT", closeTime),
        ...keysAt(eth, "ETH/USDT", closeTime),
      ]);
      expect(report.problems).toEqual([]);
      expect(report.byStatus).toEqual({ COMPLETED: 60 * (n + 1) });
      // 60 strategies on 2 markets on 2 workers: one klines request per market for this close.
      expect((await d.sim.requests())["/api/v3/klines"]).toBe(2 * (n + 1));
    }
    const rows = await d.store.db.all<{
      close_time: number;
      market_source: string;
      price: number;
      reason: string;
    }>(sql`SELECT close_time, market_source, price, reason FROM executions`);
    expect(rows).toHaveLength(120);
    for (const row of rows) {
      const window = served(row.close_time, LOOKBACK);
      expect(row).toMatchObject({
        market_source: "binance",
        price: window.at(-1)!.close,
        reason: windowEcho(window),
      });
    }
  }, 180_000);
});

describe("market-data faults", () => {
  let d: MarketDeployment;
  beforeAll(async () => {
    d = await startMarketDeployment({
      name: "marketfaults",
      simArgs: ["--symbols", "BTC/USDT,ETH/USDT,SOL/USDT"],
      workers: 2,
      waitBudgetMs: 4_000,
    });
  });
  afterAll(() => d?.cleanup());

  /** Three strategies on `symbol` run at `closeTime`; their execution rows. */
  async function runClose(symbol: string, closeTime: number) {
    const report = await d.run(keysAt(await d.addStrategies(symbol, 3), symbol, closeTime));
    expect(report.problems).toEqual([]);
    return d.store.db.all<{
      status: string;
      error_kind: string | null;
      error_message: string | null;
      reason: string | null;
    }>(
      sql`SELECT status, error_kind, error_message, reason FROM executions WHERE symbol = ${symbol} AND close_time = ${closeTime}`,
    );
  }

  it("a candle still late after the wait budget fails the execution with market_data and tells the subscribers", async () => {
    await d.sim.setFaults({ lateMs: 10 * MINUTE });
    const close = latestClose(Date.now(), "1m");
    const rows = await runClose("BTC/USDT", close);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "FAILED", error_kind: "market_data" });
      expect(row.error_message).toMatch(/no candle closing at .* after 4 s/);
    }
    const events = await d.store.db.all<{ payload: string }>(
      sql`SELECT payload FROM events WHERE type = 'execution'`,
    );
    expect(events.map((e) => JSON.parse(e.payload).skipped?.reason)).toEqual(Array(3).fill("market_data"));
    const skipped = await d.store.db.all<{ status: string; reason: string }>(
      sql`SELECT status, reason FROM trades WHERE symbol = 'BTC/USDT'`,
    );
    expect(skipped).toEqual(Array(3).fill({ status: "skipped", reason: "market_data" }));
    const [late] = await d.store.db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM candles WHERE symbol = 'BTC/USDT' AND time = ${close - MINUTE}`,
    );
    expect(Number(late.n)).toBe(0);
  }, 120_000);

  it("a candle published late but within the budget is executed on", async () => {
    const close = latestClose(Date.now(), "1m");
    // Shown 1.5 s from now: the workers' first attempts find it missing, a retry finds it.
    await d.sim.setFaults({ lateMs: Date.now() - close + 1_500 });
    const rows = await runClose("SOL/USDT", close);
    expect(rows.map((r) => r.status)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
    for (const row of rows)
      expect(row.reason).toBe(windowEcho(simulatedCandles("SOL/USDT", "1m", close, LOOKBACK)));
  }, 120_000);

  it("a hole is filled flat at the previous close, and 5xx / 429 answers are retried, nothing doubled", async () => {
    const close = latestClose(Date.now(), "1m");
    const hole = close - 3 * MINUTE;
    await d.sim.setFaults({
      lateMs: 0,
      fail5xx: 2,
      rateLimit: 1,
      gaps: [{ symbol: "ETH/USDT", from: hole, to: hole }],
    });
    const rows = await runClose("ETH/USDT", close);
    expect(rows.map((r) => r.status)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
    const source = simulatedCandles("ETH/USDT", "1m", close, LOOKBACK);
    const seen = source.map((c, k) =>
      c.time === hole ? { ...c, close: source[k - 1].close, volume: 0 } : c,
    );
    for (const row of rows) expect(row.reason).toBe(windowEcho(seen));
    const [filled] = await d.store.db.all<{ n: number; filled: number; volume: number }>(
      sql`SELECT count(*) AS n, max(filled) AS filled, max(volume) AS volume FROM candles WHERE symbol = 'ETH/USDT' AND time = ${hole}`,
    );
    expect(filled).toEqual({ n: 1, filled: 1, volume: 0 });
  }, 120_000);
});

const simTime = async (base: string) =>
  ((await (await fetch(`${base}/api/v3/time`)).json()) as { serverTime: number }).serverTime;

describe("the simulator and Candlecast at TIME_SCALE 60", () => {
  const SCALE = 60;
  let d: MarketDeployment;
  beforeAll(async () => {
    d = await startMarketDeployment({
      name: "scaledmarket",
      simArgs: ["--symbols", "BTC/USDT", "--time-scale", String(SCALE)],
      workers: 1,
      waitBudgetMs: 5_000,
      timeScale: SCALE,
      options: { scheduler: true, missedAfterRealMs: 30_000 },
      // The simulator's clock runs ahead of the real one; let it get 5 simulated minutes ahead, so a
      // worker that did not take the simulator's time would schedule closes minutes behind it.
      beforeWorkers: (sim) =>
        vi.waitFor(
          async () => {
            if ((await simTime(sim.base)) - Date.now() < 5 * MINUTE) throw new Error("not ahead yet");
          },
          { timeout: 30_000, interval: 100 },
        ),
    });
  });
  afterAll(() => d?.cleanup());

  it("agree on the clock: the scheduler's closes are the simulator's, each executed on its candles", async () => {
    await d.addStrategies("BTC/USDT", 1);
    // The worker's scheduler finds the new subscription at its next registry rebuild (a bus message).
    await d.services.redis.publish(`${d.services.keyPrefix}${CHANNELS.subscriptionChanged}`, "{}");
    const rows = await vi.waitFor(
      async () => {
        const done = await d.store.db.all<{ close_time: number; status: string; reason: string | null }>(
          sql`SELECT close_time, status, reason FROM executions WHERE status != 'RUNNING' ORDER BY close_time`,
        );
        if (done.length < 3) throw new Error(`${done.length} executions so far`);
        return done;
      },
      { timeout: 60_000, interval: 250 },
    );
    // The newest close executed is the simulator's latest (or the one before), not minutes behind it.
    const lag = (await simTime(d.sim.base)) - rows.at(-1)!.close_time;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(3 * MINUTE);
    for (const row of rows) {
      expect(row).toMatchObject({
        status: "COMPLETED",
        reason: windowEcho(simulatedCandles("BTC/USDT", "1m", row.close_time, LOOKBACK)),
      });
    }
  }, 120_000);
});
