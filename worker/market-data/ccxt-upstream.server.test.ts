// ccxt's binance class against Binance's response shapes (msw): closed candles only, paging, error classes.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { createBinanceMock } from "../../test/msw/binance";
import { createCcxtExchange } from "../brokers/ccxt-exchange.server";
import { createCcxtUpstream } from "./ccxt-upstream.server";
import { simulatedCandles } from "./simulated-feed";
import { UpstreamError } from "./upstream";

const MINUTE = 60_000;
// 12:05:00.400: the 12:05 close has just happened; the 12:05 candle is in progress.
const CLOSE = Date.UTC(2025, 5, 1, 12, 5);
const binance = createBinanceMock({ now: () => CLOSE + 400 });
const server = setupServer(...binance.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  binance.state.klinesCalls.length = 0;
  binance.state.klinesLagCalls = 0;
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const upstream = () => createCcxtUpstream(createCcxtExchange());

describe("ccxt upstream (Binance klines, mocked by msw)", () => {
  it("returns the closed candles parsed exactly from Binance's strings, and sees the one in progress", async () => {
    const window = await upstream().closedSince("BTC/USDT", "1m", CLOSE - 50 * MINUTE, CLOSE);
    expect(window).toEqual({ candles: simulatedCandles("BTC/USDT", "1m", CLOSE, 50), movedOn: true });
    const [call] = binance.state.klinesCalls;
    expect(Object.fromEntries(call)).toMatchObject({ symbol: "BTCUSDT", interval: "1m", limit: "51" });
  });

  it("pages through more than one Binance page, each candle once", async () => {
    const window = await upstream().closedSince("ETH/USDT", "1m", CLOSE - 2_500 * MINUTE, CLOSE);
    expect(window.candles).toEqual(simulatedCandles("ETH/USDT", "1m", CLOSE, 2_500));
    expect(binance.state.klinesCalls).toHaveLength(3);
  });

  it("reports a late just-closed candle as not moved on, without it", async () => {
    binance.state.klinesLagCalls = 1;
    const window = await upstream().closedSince("SOL/USDT", "1m", CLOSE - 5 * MINUTE, CLOSE);
    expect(window.movedOn).toBe(false);
    expect(window.candles.at(-1)!.time).toBeLessThan(CLOSE - MINUTE);
  });

  it("classifies a 5xx as retryable and a bad symbol as not, and recovers from a failed market load", async () => {
    server.use(
      http.get("*/api/v3/exchangeInfo", () => new HttpResponse(null, { status: 502 }), { once: true }),
    );
    const source = upstream();
    const error = await source.closedSince("BTC/USDT", "1m", CLOSE - MINUTE, CLOSE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(true);
    await expect(source.closedSince("BTC/USDT", "1m", CLOSE - MINUTE, CLOSE)).resolves.toMatchObject({
      movedOn: true,
    });
    const bad = await source.closedSince("DOGE/USDT", "1m", CLOSE - MINUTE, CLOSE).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UpstreamError);
    expect((bad as UpstreamError).retryable).toBe(false);
  });
});
