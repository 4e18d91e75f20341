// A 1m candle file serves every coarser resolution: each kline the aggregate of its rows (ADR 123), read by ccxt over HTTP.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import { createCcxtExchange } from "../../worker/brokers/ccxt-exchange.server";
import { pointExchangeAt } from "../../worker/market-data/exchange-url";
import { startExchangeSim, type ExchangeSimProcess } from "../../test/support/exchange-sim-process";

const MINUTE = 60_000;
// Three days of 1m rows, a deterministic wander with wicks on both sides.
const ROWS: Candle[] = [];
for (let i = 0, seed = 7, price = 100; i < 3 * 1440; i++) {
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const open = price;
  const close = Math.round((open + (next() - 0.5) * 2) * 100) / 100;
  const high = Math.round((Math.max(open, close) + next()) * 100) / 100;
  const low = Math.round((Math.min(open, close) - next()) * 100) / 100;
  ROWS.push({
    time: Date.UTC(2025, 0, 1) + i * MINUTE,
    open,
    high,
    low,
    close,
    volume: Math.round(next() * 1e4) / 100,
  });
  price = close;
}

/** data.binance.vision's spot kline dump: 12 columns, no header, open and close times in microseconds. */
function writeBinanceDump(rows: Candle[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "exchange-sim-")), "BTCUSDT-1m.csv");
  const line = (c: Candle) =>
    [
      c.time * 1000,
      c.open,
      c.high,
      c.low,
      c.close,
      c.volume,
      (c.time + MINUTE - 1) * 1000,
      c.volume * c.close,
      10,
      c.volume / 2,
      (c.volume * c.close) / 2,
      0,
    ].join(",");
  writeFileSync(file, rows.map(line).join("\n") + "\n");
  return file;
}

let sim: ExchangeSimProcess;
beforeAll(async () => {
  sim = await startExchangeSim(["--candles", writeBinanceDump(ROWS), "--symbols", "BTC/USDT"]);
});
afterAll(() => sim.stop());

const rowAt = (time: number) => {
  const index = (time - sim.replayStart!) / MINUTE;
  return ROWS[((index % ROWS.length) + ROWS.length) % ROWS.length];
};
/** The candle of `resolution` opening at `time`, from the file's rows: open of the first, extremes, close of the last, summed volume. */
function aggregate(time: number, resolution: Resolution): number[] {
  const rows = Array.from({ length: RESOLUTION_MS[resolution] / MINUTE }, (_, i) => rowAt(time + i * MINUTE));
  return [
    time,
    rows[0].open,
    Math.max(...rows.map((r) => r.high)),
    Math.min(...rows.map((r) => r.low)),
    rows.at(-1)!.close,
    rows.reduce((sum, r) => sum + r.volume, 0),
  ];
}

describe("coarser resolutions aggregated from a 1m Binance dump", () => {
  it("lists every resolution it serves in exchangeInfo", async () => {
    const info = await (await fetch(`${sim.base}/api/v3/exchangeInfo`)).json();
    expect(info.klineIntervals).toEqual(["1m", "5m", "15m", "1h", "4h", "1d"]);
  });

  it("serves a 1h kline equal to the aggregate of its 60 1m rows, on UTC boundaries, for every resolution", async () => {
    const binance = pointExchangeAt(createCcxtExchange(), sim.base);
    for (const resolution of ["5m", "15m", "1h", "4h", "1d"] as const) {
      const klines = (await binance.fetchOHLCV("BTC/USDT", resolution, undefined, 4)) as number[][];
      expect(klines).toHaveLength(4);
      const closed = klines.slice(0, -1);
      for (const k of closed) {
        expect(k[0] % RESOLUTION_MS[resolution]).toBe(0);
        expect(k).toEqual(aggregate(k[0], resolution));
      }
      // The one in progress: its open is the span's first row's, its extremes within the whole span's.
      const [time, open, high, low, , volume] = klines.at(-1)!;
      const whole = aggregate(time, resolution);
      expect(open).toBe(whole[1]);
      expect(high).toBeLessThanOrEqual(whole[2]);
      expect(low).toBeGreaterThanOrEqual(whole[3]);
      expect(volume).toBeLessThan(whole[5]);
    }
  });

  it("agrees with the 1m klines it is made of, read over HTTP", async () => {
    const binance = pointExchangeAt(createCcxtExchange(), sim.base);
    const [hour] = (await binance.fetchOHLCV("BTC/USDT", "1h", undefined, 2)) as number[][];
    const minutes = (await binance.fetchOHLCV("BTC/USDT", "1m", hour[0], 60)) as number[][];
    expect(minutes.map((m) => m[0])).toEqual(Array.from({ length: 60 }, (_, i) => hour[0] + i * MINUTE));
    expect(hour).toEqual([
      hour[0],
      minutes[0][1],
      Math.max(...minutes.map((m) => m[2])),
      Math.min(...minutes.map((m) => m[3])),
      minutes[59][4],
      minutes.reduce((sum, m) => sum + m[5], 0),
    ]);
  });

  it("refuses a bad file naming its lines, before it listens", () => {
    const file = join(mkdtempSync(join(tmpdir(), "exchange-sim-")), "bad.csv");
    writeFileSync(file, "time,open,high,low,close,volume\n0,100,101,99,100,5\n60000,100,90,99,100,5\n");
    const run = spawnSync(
      "node_modules/.bin/tsx",
      ["scripts/exchange-sim/cli.ts", "--port", "0", "--candles", file],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("line 3: high 90 is below max(open, close) 100");
  });
});
