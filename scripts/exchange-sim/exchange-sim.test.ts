// The simulator as its own process, read over HTTP by ccxt's real binance class.
import ccxt from "ccxt";
import { createCcxtExchange } from "../../worker/brokers/ccxt-exchange.server";
import { pointExchangeAt } from "../../worker/market-data/exchange-url";
import {
  startExchangeSim,
  writeCandleCsv,
  type ExchangeSimProcess,
} from "../../test/support/exchange-sim-process";

const MINUTE = 60_000;
const ROWS = Array.from({ length: 1500 }, (_, i) => {
  const open = 100 + i;
  return {
    time: Date.UTC(2024, 0, 1) + i * MINUTE,
    open,
    high: open + 2,
    low: open - 1,
    close: open + 1,
    volume: 10 + i,
  };
});

let sim: ExchangeSimProcess;
let base: string;
let replayStart: number;

beforeAll(async () => {
  sim = await startExchangeSim(["--candles", writeCandleCsv(ROWS), "--symbols", "BTC/USDT,ETH/USDT"]);
  ({ base } = sim);
  replayStart = sim.replayStart!;
});
afterAll(() => sim.stop());

const control = (method: string, path: string, body?: unknown) =>
  fetch(base + path, { method, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) =>
    r.json(),
  );
const exchange = () => pointExchangeAt(createCcxtExchange(), base);

beforeEach(async () => {
  await control("DELETE", "/__sim/faults");
  await sim.resetRequests();
});

describe("exchange simulator over HTTP", () => {
  it("pages more than 1000 candles through ccxt: each once, prices equal to the CSV's", async () => {
    const binance = exchange();
    // The CSV's last row was in progress at start: only the rows before it are surely closed.
    const end = replayStart + (ROWS.length - 2) * MINUTE;
    const seen: number[][] = [];
    for (let since = replayStart; since <= end;) {
      const page = await binance.fetchOHLCV("BTC/USDT", "1m", since, 1000, { endTime: end });
      if (page.length === 0) break;
      seen.push(...(page as number[][]));
      since = page.at(-1)![0]! + MINUTE;
    }
    const closed = ROWS.slice(0, -1);
    expect(seen.map((c) => c[0])).toEqual(closed.map((_, i) => replayStart + i * MINUTE));
    expect(seen.map((c) => c.slice(1))).toEqual(
      closed.map((r) => [r.open, r.high, r.low, r.close, r.volume]),
    );
    const requests = await sim.requests();
    expect(requests["/api/v3/klines"]).toBe(2);
    expect(requests["/api/v3/exchangeInfo"]).toBe(1);
  });

  it("answers Binance's errors for a bad symbol or interval and keeps serving", async () => {
    const bad = await fetch(`${base}/api/v3/klines?symbol=NOPE&interval=1m`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: -1121, msg: "Invalid symbol." });
    const interval = await fetch(`${base}/api/v3/klines?symbol=BTCUSDT&interval=2h`);
    expect(await interval.json()).toEqual({ code: -1120, msg: "Invalid interval." });
    const garbage = await fetch(`${base}/__sim/faults`, { method: "POST", body: "{not json" });
    expect(garbage.status).toBe(400);
    const field = await fetch(`${base}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ lateMs: -1 }),
    });
    expect(field.status).toBe(400);
    expect((await field.json()).field).toBe("lateMs");
    expect((await fetch(`${base}/api/v3/ping`)).status).toBe(200);
  });

  it("answers 429 with Retry-After and weight headers when rate limited; ccxt raises its rate-limit error", async () => {
    await control("POST", "/__sim/faults", { rateLimit: 2 });
    const raw = await fetch(`${base}/api/v3/ping`);
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(raw.headers.get("x-mbx-used-weight-1m"))).toBeGreaterThan(0);
    expect((await raw.json()).code).toBe(-1003);
    await expect(exchange().fetchTime()).rejects.toThrow(ccxt.DDoSProtection);
    expect((await fetch(`${base}/api/v3/ping`)).status).toBe(200);
  });

  it("answers 503 while the 5xx switch lasts; ccxt raises OperationFailed for Binance's -1001, then the next call succeeds", async () => {
    await control("POST", "/__sim/faults", { fail5xx: 1 });
    const binance = exchange();
    await expect(binance.fetchTime()).rejects.toThrow(ccxt.OperationFailed);
    expect(await binance.fetchTime()).toBeGreaterThan(0);
  });

  it("holds the just-closed candle back while it is late, and shows it with the one in progress after", async () => {
    const binance = exchange();
    const before = Math.floor(Date.now() / MINUTE) * MINUTE;
    await control("POST", "/__sim/faults", { lateMs: 3_600_000 });
    const late = await binance.fetchOHLCV("BTC/USDT", "1m", undefined, 3);
    const after = Math.floor(Date.now() / MINUTE) * MINUTE;
    expect(late.at(-1)![0]).toBeLessThanOrEqual(after - 2 * MINUTE);
    await control("POST", "/__sim/faults", { lateMs: 0 });
    const onTime = await binance.fetchOHLCV("BTC/USDT", "1m", undefined, 3);
    expect(onTime.at(-1)![0]).toBeGreaterThanOrEqual(before);
  });

  it("leaves out a gap's candles and still fills the page from after it", async () => {
    const from = replayStart + 10 * MINUTE;
    await control("POST", "/__sim/faults", { gaps: [{ symbol: "BTC/USDT", from, to: from + 4 * MINUTE }] });
    const page = await exchange().fetchOHLCV("BTC/USDT", "1m", replayStart, 100);
    const times = page.map((c) => c[0]!);
    expect(times).toHaveLength(100);
    expect(times.filter((t) => t >= from && t <= from + 4 * MINUTE)).toEqual([]);
    expect(times.at(-1)).toBe(replayStart + 104 * MINUTE);
    const other = await exchange().fetchOHLCV("ETH/USDT", "1m", replayStart, 20);
    expect(other.map((c) => c[0])).toContain(from);
  });
});

describe("the candle in progress (ADR 122)", () => {
  // Ten times faster: a 1m candle lasts 6 real seconds.
  let fast: ExchangeSimProcess;
  beforeAll(async () => {
    fast = await startExchangeSim([
      "--candles",
      writeCandleCsv(ROWS),
      "--symbols",
      "BTC/USDT",
      "--time-scale",
      "10",
    ]);
  });
  afterAll(() => fast.stop());

  const rowAt = (time: number) => ROWS[((time - fast.replayStart!) / MINUTE) % ROWS.length];
  /** Each row rises: its path walks open -> low at 1/3 -> high at 2/3 -> close; the candle at fraction f of it. */
  function formedAt(row: (typeof ROWS)[number], f: number) {
    const along = (a: number, b: number, x: number) => a + (b - a) * x;
    if (f <= 1 / 3) {
      const price = along(row.open, row.low, 3 * f);
      return { high: row.open, low: price, close: price };
    }
    if (f <= 2 / 3) {
      const price = along(row.low, row.high, 3 * f - 1);
      return { high: Math.max(row.open, price), low: row.low, close: price };
    }
    return { high: row.high, low: row.low, close: along(row.high, row.close, 3 * f - 2) };
  }

  it("serves it as formed so far along the price path, never a later extreme, and as the final row once closed", async () => {
    const binance = pointExchangeAt(createCcxtExchange(), fast.base);
    const newest = async () => (await binance.fetchOHLCV("BTC/USDT", "1m", undefined, 2)).at(-1)! as number[];
    // Start from a read in the first third of a candle, then read it every 100 ms until the next one opens.
    let first: number[] = [];
    await vi.waitFor(
      async () => {
        first = await newest();
        expect(first[5] / rowAt(first[0]).volume).toBeLessThan(1 / 3);
      },
      { timeout: 20_000, interval: 50 },
    );
    const open = first[0];
    const reads = [first];
    await vi.waitFor(
      async () => {
        const read = await newest();
        if (read[0] === open) reads.push(read);
        expect(read[0]).toBeGreaterThan(open);
      },
      { timeout: 20_000, interval: 100 },
    );
    const row = rowAt(open);
    expect(reads.length).toBeGreaterThan(5);
    for (const [, o, high, low, close, volume] of reads) {
      const f = volume / row.volume;
      expect(f).toBeLessThan(1);
      const formed = formedAt(row, f);
      expect(o).toBe(row.open);
      expect(high).toBeCloseTo(formed.high, 6);
      expect(low).toBeCloseTo(formed.low, 6);
      expect(close).toBeCloseTo(formed.close, 6);
      expect(high).toBeLessThanOrEqual(row.high);
      expect(low).toBeGreaterThanOrEqual(row.low);
    }
    // Read before two thirds of the candle, its high is not the high still to come.
    expect(reads[0][2]).toBeLessThan(row.high);
    const [closed] = await binance.fetchOHLCV("BTC/USDT", "1m", open, 1);
    expect(closed).toEqual([open, row.open, row.high, row.low, row.close, row.volume]);
  });
});
