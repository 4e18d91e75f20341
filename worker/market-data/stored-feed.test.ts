// The candle store in front of a real HTTP exchange (the simulator, in this process): one fetch per
// market and close for every worker, holes filled by the one rule, late candles waited for, then refused.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { RESOLUTION_MS, type Candle } from "../../db/contracts/domain";
import { createMemoryLock } from "../../db/infra/lock-memory";
import { readCandles } from "../../db/store/queries/candles";
import { createExchangeSimServer } from "../../scripts/exchange-sim/server";
import { createState, NO_FAULTS, type SimState } from "../../scripts/exchange-sim/state";
import { generatedSource } from "../../scripts/exchange-sim/candle-source";
import { createTestStore, type TestStore } from "../../test/support/store";
import { createCcxtExchange } from "../brokers/ccxt-exchange.server";
import { createCcxtUpstream } from "./ccxt-upstream.server";
import { pointExchangeAt } from "./exchange-url";
import { simulatedCandles } from "./simulated-feed";
import { CandleNotReadyError, createStoredFeed } from "./stored-feed";
import { UpstreamError } from "./upstream";

const MINUTE = RESOLUTION_MS["1m"];
// 12:05:00.400: the 12:05 close has just happened and the 12:05 candle is in progress.
const CLOSE = Date.UTC(2025, 5, 1, 12, 5);
let simNow = CLOSE + 400;
let state: SimState;
let server: Server;
let base: string;
let store: TestStore;

beforeAll(async () => {
  state = createState({
    source: generatedSource(),
    symbols: ["BTC/USDT", "ETH/USDT"],
    now: () => simNow,
  });
  server = createExchangeSimServer(state);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(async () => {
  simNow = CLOSE + 400;
  state.faults = { ...NO_FAULTS };
  state.requests = {};
  store = await createTestStore();
});
afterEach(() => store.cleanup());

const klinesRequests = () => state.requests["/api/v3/klines"] ?? 0;
const sleeps: number[] = [];
/** One worker: its own ccxt client and feed, sharing the store and the lock with the others. */
function worker(lock = sharedLock, options: { waitBudgetMs?: number; onSleep?: (ms: number) => void } = {}) {
  return createStoredFeed({
    db: store.db,
    lock,
    upstream: createCcxtUpstream(pointExchangeAt(createCcxtExchange(), base)),
    waitBudgetMs: options.waitBudgetMs ?? 10_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      options.onSleep?.(ms);
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
  });
}
let sharedLock = createMemoryLock();
beforeEach(() => {
  sharedLock = createMemoryLock();
  sleeps.length = 0;
});
const flat = (c: Candle) => ({ ...c, open: c.close, high: c.close, low: c.close, volume: 0 });

describe("stored feed over the exchange simulator", () => {
  it("serves the exchange's candles, records them once, and answers the next worker from the store", async () => {
    const expected = simulatedCandles("BTC/USDT", "1m", CLOSE, 120);
    const first = await worker().closedCandles("BTC/USDT", "1m", CLOSE, 120);
    expect(first).toEqual(expected);
    expect(klinesRequests()).toBe(1);
    const market = { source: "binance", symbol: "BTC/USDT", resolution: "1m" };
    expect(await readCandles(store.db, market, CLOSE - 120 * MINUTE, CLOSE)).toHaveLength(120);

    expect(await worker().closedCandles("BTC/USDT", "1m", CLOSE, 100)).toEqual(expected.slice(-100));
    expect(klinesRequests()).toBe(1);
    // The next close asks the exchange only for the one candle the store lacks.
    simNow += MINUTE;
    const next = await worker().closedCandles("BTC/USDT", "1m", CLOSE + MINUTE, 120);
    expect(next).toEqual(simulatedCandles("BTC/USDT", "1m", CLOSE + MINUTE, 120));
    expect(klinesRequests()).toBe(2);
  });

  it("makes one exchange request per market for 50 strategies on two workers at one close", async () => {
    const workers = [worker(), worker()];
    const windows = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        workers[i % 2].closedCandles(i < 25 ? "BTC/USDT" : "ETH/USDT", "1m", CLOSE, 30 + (i % 5) * 10),
      ),
    );
    expect(klinesRequests()).toBe(2);
    windows.forEach((w, i) =>
      expect(w).toEqual(simulatedCandles(i < 25 ? "BTC/USDT" : "ETH/USDT", "1m", CLOSE, 30 + (i % 5) * 10)),
    );
  });

  it("fills a hole where nothing traded with a flat candle at the previous close, marked filled", async () => {
    const holeFrom = CLOSE - 10 * MINUTE;
    state.faults.gaps = [{ symbol: "BTC/USDT", from: holeFrom, to: holeFrom + 2 * MINUTE }];
    const candles = await worker().closedCandles("BTC/USDT", "1m", CLOSE, 20);
    const source = simulatedCandles("BTC/USDT", "1m", CLOSE, 20);
    const before = source[9];
    expect(candles.map((c) => c.time)).toEqual(source.map((c) => c.time));
    expect(candles.slice(10, 13)).toEqual(
      [10, 11, 12].map((i) => ({ ...flat(before), time: source[i].time })),
    );
    expect(candles.slice(13)).toEqual(source.slice(13));
    const stored = await readCandles(
      store.db,
      { source: "binance", symbol: "BTC/USDT", resolution: "1m" },
      CLOSE - 20 * MINUTE,
      CLOSE,
    );
    expect(stored.filter((c) => c.filled).map((c) => c.time)).toEqual(
      [10, 11, 12].map((i) => source[i].time),
    );
  });

  it("fills a missing just-closed candle once the exchange shows a newer one", async () => {
    state.faults.gaps = [{ from: CLOSE - MINUTE, to: CLOSE - MINUTE }];
    const candles = await worker().closedCandles("ETH/USDT", "1m", CLOSE, 5);
    const source = simulatedCandles("ETH/USDT", "1m", CLOSE, 5);
    expect(candles.at(-1)).toEqual({ ...flat(source[3]), time: CLOSE - MINUTE });
    expect(klinesRequests()).toBe(1);
  });

  it("waits for a late candle with backoff and executes on it once it is published", async () => {
    state.faults.lateMs = 1_500;
    const candles = await worker(sharedLock, { onSleep: (ms) => (simNow += ms * 4) }).closedCandles(
      "BTC/USDT",
      "1m",
      CLOSE,
      10,
    );
    expect(candles).toEqual(simulatedCandles("BTC/USDT", "1m", CLOSE, 10));
    expect(sleeps.length).toBeGreaterThan(0);
    expect(klinesRequests()).toBe(sleeps.length + 1);
  });

  it("gives up after its wait budget with a typed error and stores nothing for the late candle", async () => {
    state.faults.lateMs = 60_000;
    const feed = worker(sharedLock, { waitBudgetMs: 300 });
    await expect(feed.closedCandles("BTC/USDT", "1m", CLOSE, 10)).rejects.toThrow(CandleNotReadyError);
    const stored = await readCandles(
      store.db,
      { source: "binance", symbol: "BTC/USDT", resolution: "1m" },
      CLOSE - 10 * MINUTE,
      CLOSE,
    );
    expect(stored.map((c) => c.time)).not.toContain(CLOSE - MINUTE);
    // The newest candle shown had no newer one beside it: it is not taken for closed either.
    expect(stored).toHaveLength(8);
  });

  it("asked before the exchange's clock reaches the close, never stores the candle in progress as closed", async () => {
    // Our clock runs 5 s ahead of the exchange's: its 12:04 candle is still in progress.
    simNow = CLOSE - 5_000;
    const market = { source: "binance", symbol: "BTC/USDT", resolution: "1m" };
    // The exchange serves that candle as formed so far, not with its final figures (ADR 122).
    const shown = await pointExchangeAt(createCcxtExchange(), base).fetchOHLCV(
      "BTC/USDT",
      "1m",
      undefined,
      1,
    );
    const final = simulatedCandles("BTC/USDT", "1m", CLOSE, 1)[0];
    expect(shown[0][0]).toBe(CLOSE - MINUTE);
    expect(shown[0][5]).toBeLessThan(final.volume);
    state.requests = {};
    const early = worker(sharedLock, { waitBudgetMs: 300 });
    await expect(early.closedCandles("BTC/USDT", "1m", CLOSE, 10)).rejects.toThrow(CandleNotReadyError);
    const stored = await readCandles(store.db, market, CLOSE - 10 * MINUTE, CLOSE);
    expect(stored.map((c) => c.time)).not.toContain(CLOSE - MINUTE);

    // Once the exchange's clock passes the close, the window is the closed candles.
    const later = worker(sharedLock, { onSleep: (ms) => (simNow += ms * 20) });
    simNow = CLOSE - 1_000;
    expect(await later.closedCandles("BTC/USDT", "1m", CLOSE, 10)).toEqual(
      simulatedCandles("BTC/USDT", "1m", CLOSE, 10),
    );
    expect(simNow).toBeGreaterThanOrEqual(CLOSE);
  });

  it("retries through 5xx and 429 answers within the budget and stores the exchange's candles", async () => {
    state.faults.fail5xx = 2;
    state.faults.rateLimit = 1;
    const candles = await worker().closedCandles("ETH/USDT", "1m", CLOSE, 50);
    expect(candles).toEqual(simulatedCandles("ETH/USDT", "1m", CLOSE, 50));
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
    const stored = await readCandles(
      store.db,
      { source: "binance", symbol: "ETH/USDT", resolution: "1m" },
      0,
      CLOSE,
    );
    // A first fetch takes a whole page (999 closed candles and the one in progress), so longer
    // windows of other strategies find their history.
    expect(stored.map(({ filled, ...c }) => (filled ? null : c))).toEqual(
      simulatedCandles("ETH/USDT", "1m", CLOSE, 999),
    );
  });

  it("fails at once, without retrying, for a symbol the exchange does not list", async () => {
    const error = await worker()
      .closedCandles("DOGE/USDT", "1m", CLOSE, 10)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(false);
    expect(sleeps).toEqual([]);
  });
});
