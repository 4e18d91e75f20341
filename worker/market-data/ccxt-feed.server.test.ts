import { setupServer } from "msw/node";
import { createBinanceMock } from "../../test/msw/binance";
import { createCcxtExchange } from "../brokers/ccxt-exchange.server";
import { CandleNotReadyError, createCcxtFeed } from "./ccxt-feed.server";
import { simulatedCandles } from "./simulated-feed";

// 12:05:00.400 — the 12:05 close has just happened; the 12:05 candle is in progress.
const CLOSE = Date.UTC(2025, 5, 1, 12, 5);
let now = CLOSE + 400;
const binance = createBinanceMock({ now: () => now });
const server = setupServer(...binance.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  now = CLOSE + 400;
  binance.state.klinesCalls.length = 0;
  binance.state.klinesLagCalls = 0;
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const sleeps: number[] = [];
const makeFeed = (retries = 3) =>
  createCcxtFeed({
    exchange: createCcxtExchange(),
    retries,
    backoffMs: 100,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

describe("ccxt feed (Binance klines, mocked by msw)", () => {
  beforeEach(() => {
    sleeps.length = 0;
  });

  it("returns closed candles only, the last closing at closeTime, parsed from Binance's string arrays", async () => {
    const candles = await makeFeed().closedCandles("BTC/USDT", "1m", CLOSE, 50);
    expect(candles).toHaveLength(50);
    expect(candles.at(-1)!.time + 60_000).toBe(CLOSE);
    // The mock serves the simulated market, so the values must survive the string round trip exactly.
    expect(candles).toEqual(simulatedCandles("BTC/USDT", "1m", CLOSE, 50));
    const [call] = binance.state.klinesCalls;
    expect(call.get("symbol")).toBe("BTCUSDT");
    expect(call.get("interval")).toBe("1m");
  });

  it("drops the candle in progress", async () => {
    const candles = await makeFeed().closedCandles("ETH/USDT", "5m", CLOSE, 3);
    expect(candles.map((c) => c.time)).toEqual([CLOSE - 900_000, CLOSE - 600_000, CLOSE - 300_000]);
  });

  it("retries with backoff until the just-closed candle appears", async () => {
    binance.state.klinesLagCalls = 2;
    const candles = await makeFeed().closedCandles("SOL/USDT", "1m", CLOSE, 10);
    expect(candles.at(-1)!.time).toBe(CLOSE - 60_000);
    expect(binance.state.klinesCalls).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it("gives up with a typed error after its bounded retries", async () => {
    binance.state.klinesLagCalls = 10;
    await expect(makeFeed(2).closedCandles("SOL/USDT", "1m", CLOSE, 10)).rejects.toThrow(CandleNotReadyError);
    expect(binance.state.klinesCalls).toHaveLength(3);
  });

  it("serves a repeated window from its cache", async () => {
    const feed = makeFeed();
    const first = await feed.closedCandles("BTC/USDT", "15m", CLOSE - (CLOSE % 900_000), 20);
    const second = await feed.closedCandles("BTC/USDT", "15m", CLOSE - (CLOSE % 900_000), 20);
    expect(second).toEqual(first);
    expect(binance.state.klinesCalls).toHaveLength(1);
  });

  it("evicts the least recently used window beyond its size", async () => {
    const feed = createCcxtFeed({ exchange: createCcxtExchange(), cacheSize: 2 });
    await feed.closedCandles("BTC/USDT", "1m", CLOSE, 5);
    await feed.closedCandles("BTC/USDT", "1m", CLOSE, 6);
    await feed.closedCandles("BTC/USDT", "1m", CLOSE, 5); // hit: 5 becomes the most recent
    await feed.closedCandles("BTC/USDT", "1m", CLOSE, 7); // evicts 6
    await feed.closedCandles("BTC/USDT", "1m", CLOSE, 5); // still cached
    expect(binance.state.klinesCalls).toHaveLength(3);
    await feed.closedCandles("BTC/USDT", "1m", CLOSE, 6);
    expect(binance.state.klinesCalls).toHaveLength(4);
  });
});
