// `npm run data` as a real process against the exchange simulator as its own process: a download killed
// with SIGKILL and resumed, imports of each format and of bad files, list with a gap, and usage errors.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { RESOLUTION_MS, type Candle } from "../../db/contracts/domain";
import { readCandles } from "../../db/store/queries/candles";
import { runDataCli, startDataCli } from "../../test/support/data-cli-process";
import { startExchangeSim, writeCandleCsv, type ExchangeSimProcess } from "../../test/support/exchange-sim-process";
import { createTestStore, type TestStore } from "../../test/support/store";

const HOUR = RESOLUTION_MS["1h"];
const T0 = Date.UTC(2024, 0, 1);
const market = (symbol: string) => ({ source: "binance", symbol, resolution: "1h" });

let sim: ExchangeSimProcess;
let store: TestStore;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startExchangeSim(["--symbols", "BTC/USDT,ETH/USDT"]);
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await fetch(`${sim.base}/__sim/faults`, { method: "DELETE" });
  await sim.resetRequests();
  store = await createTestStore();
  env = {
    DATA_DIR: dirname(store.file),
    DATABASE_URL: store.url,
    MARKET_DATA: "exchange:binance",
    MARKET_DATA_URL: sim.base,
  };
});
afterEach(() => store.cleanup());

const stored = (symbol: string) => readCandles(store.db, market(symbol), 0, Number.MAX_SAFE_INTEGER);
const hours = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i * HOUR);

/** The simulator's own answer for `count` candles from `from`, read over HTTP page by page. */
async function simulatorCandles(symbol: string, from: number, count: number): Promise<Candle[]> {
  const out: Candle[] = [];
  for (let since = from; out.length < count; since = out.at(-1)!.time + HOUR) {
    const limit = Math.min(1000, count - out.length);
    const url = `${sim.base}/api/v3/klines?symbol=${symbol.replace("/", "")}&interval=1h&startTime=${since}&limit=${limit}`;
    const page = (await (await fetch(url)).json()) as [number, string, string, string, string, string][];
    out.push(...page.map(([time, o, h, l, c, v]) => ({ time, open: +o, high: +h, low: +l, close: +c, volume: +v })));
  }
  return out;
}

function writeFile(name: string, lines: string[]): string {
  const file = join(dirname(store.file), name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const candle = (i: number, from = T0): Candle => ({
  time: from + i * HOUR,
  open: 100 + i,
  high: 103 + i,
  low: 98 + i,
  close: 101 + i,
  volume: 5 + i,
});
const binanceLine = (c: Candle, unit: number) =>
  [c.time * unit, c.open, c.high, c.low, c.close, c.volume, (c.time + HOUR) * unit - 1, 1, 10, 1, 1, 0].join(",");

describe("data download (real processes)", () => {
  // 2024-01-01 .. 2024-12-01: 8,040 hourly candles per symbol, 9 pages of 999 each.
  const TO = Date.UTC(2024, 11, 1);
  const TOTAL = (TO - T0) / HOUR;
  const PAGES = Math.ceil(TOTAL / 999);

  it("killed with SIGKILL mid-way and run again: resumes where it stopped, no gap, no duplicate, the simulator's prices", async () => {
    await sim.setFaults({ latencyMs: 150 });
    const args = ["download", "--symbols", "BTC/USDT,ETH/USDT", "--resolution", "1h", "--from", "2024-01-01", "--to", "2024-12-01"];
    const first = startDataCli(args, env);
    await vi.waitFor(
      async () => {
        if ((await stored("BTC/USDT")).length < 2 * 999) throw new Error("not yet two pages");
      },
      { timeout: 120_000, interval: 100 },
    );
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    const [btcBefore, ethBefore] = [(await stored("BTC/USDT")).length, (await stored("ETH/USDT")).length];
    expect(btcBefore + ethBefore).toBeLessThan(2 * TOTAL);

    await sim.resetRequests();
    const second = await runDataCli(args, env);
    expect(second.code).toBe(0);
    // Only the pages the first run had not stored were asked for.
    const pagesLeft = (before: number) => Math.ceil((TOTAL - before) / 999);
    expect((await sim.requests())["/api/v3/klines"]).toBe(pagesLeft(btcBefore) + pagesLeft(ethBefore));
    expect(pagesLeft(btcBefore) + pagesLeft(ethBefore)).toBeLessThan(2 * PAGES);
    expect(second.stdout).toContain(`binance BTC/USDT 1h: ${(TOTAL - btcBefore).toLocaleString("en")} candles stored`);
    expect(second.stderr).toContain("download 100%");

    for (const symbol of ["BTC/USDT", "ETH/USDT"]) {
      const rows = await stored(symbol);
      expect(rows.map((r) => r.time)).toEqual(hours(T0, TOTAL));
      expect(rows.map(({ filled: _, ...c }) => c)).toEqual(await simulatorCandles(symbol, T0, TOTAL));
    }
    // Two CLI processes loading ccxt and 18 pages at 150 ms each: minutes when the machine is shared.
  }, 300_000);

  it("refuses MARKET_DATA=simulated and a market the exchange does not list, storing nothing", async () => {
    const args = (symbols: string) => ["download", "--symbols", symbols, "--resolution", "1h", "--from", "2024-01-01"];
    const [simulated, unknown] = await Promise.all([
      runDataCli(args("BTC/USDT"), { ...env, MARKET_DATA: "simulated", MARKET_DATA_URL: undefined }),
      runDataCli(args("BTC/USDT,DOGE/USDT"), env),
    ]);
    expect(simulated.code).toBe(1);
    expect(simulated.stderr).toContain("download needs an exchange: MARKET_DATA=simulated");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--symbols: binance has no market DOGE/USDT");
    expect(await stored("BTC/USDT")).toEqual([]);
  });
});

describe("data import (real processes)", () => {
  it("loads the CLI's CSV, filling a hole inside it by the rule; the source defaults to MARKET_DATA's exchange", async () => {
    const rows = [0, 1, 2, 4, 5].map((i) => candle(i));
    const result = await runDataCli(["import", writeCandleCsv(rows), "--symbol", "BTC/USDT", "--resolution", "1h"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("binance BTC/USDT 1h: 5 rows (candlecast format)");
    expect(result.stdout).toContain("1 filled, 6 new to the store");
    const close = rows[2].close;
    expect(await stored("BTC/USDT")).toEqual([
      ...rows.slice(0, 3).map((c) => ({ ...c, filled: false })),
      { time: T0 + 3 * HOUR, open: close, high: close, low: close, close, volume: 0, filled: true },
      ...rows.slice(3).map((c) => ({ ...c, filled: false })),
    ]);
  });

  it("loads Binance kline dumps with millisecond and with microsecond open times as the same candles", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => candle(i));
    const ms = writeFile("BTCUSDT-1h-2024-01.csv", rows.map((c) => binanceLine(c, 1)));
    const us = writeFile("ETHUSDT-1h-2025-01.csv", rows.map((c) => binanceLine(c, 1000)));
    const [a, b] = await Promise.all([
      runDataCli(["import", ms, "--symbol", "BTC/USDT", "--resolution", "1h", "--source", "binance"], env),
      runDataCli(["import", us, "--symbol", "ETH/USDT", "--resolution", "1h", "--source", "binance"], env),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stdout).toContain("30 rows (binance format)");
    const expected = rows.map((c) => ({ ...c, filled: false }));
    expect(await stored("BTC/USDT")).toEqual(expected);
    expect(await stored("ETH/USDT")).toEqual(expected);
  });

  it("a bad file names each bad line and stores nothing, even with 2,500 good rows before them", async () => {
    const good = Array.from({ length: 2_500 }, (_, i) => candle(i));
    const lines = good.map((c) => binanceLine(c, 1));
    const bad = (i: number, patch: Partial<Candle>) => binanceLine({ ...candle(i), ...patch }, 1);
    lines.push(bad(2_500, { high: 50 }), bad(2_501, {}), bad(2_501, {}));
    const result = await runDataCli(
      ["import", writeFile("bad.csv", lines), "--symbol", "BTC/USDT", "--resolution", "1h", "--source", "binance"],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bad.csv: nothing was stored, 2 problem(s):");
    expect(result.stderr).toContain(`line 2501: high 50 is below max(open, close) ${candle(2_500).close}`);
    const repeated = new Date(candle(2_501).time).toISOString();
    expect(result.stderr).toContain(`line 2503: time ${repeated} repeats line 2502`);
    expect(await stored("BTC/USDT")).toEqual([]);
  });

  it("a CLI CSV with a time off the resolution's boundary and a number that is not one stores nothing", async () => {
    const file = writeFile("off.csv", [
      "time,open,high,low,close,volume",
      `${T0},100,101,99,100,1`,
      `${T0 + HOUR + 1},100,101,99,100,1`,
      `${T0 + 2 * HOUR},100,1O1,99,100,1`,
    ]);
    const result = await runDataCli(["import", file, "--symbol", "BTC/USDT", "--resolution", "1h"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 3: time 2024-01-01T01:00:00.001Z is not on a 1h boundary");
    expect(result.stderr).toContain('line 4: high "1O1" is not a number');
    expect(await stored("BTC/USDT")).toEqual([]);
  });
});

describe("data list (real process)", () => {
  it("shows each market's range, counts, filled candles and its gaps, as a table and as JSON", async () => {
    const empty = await runDataCli(["list"], env);
    expect(empty.stdout).toBe("The candle store is empty.\n");
    const early = writeCandleCsv(Array.from({ length: 10 }, (_, i) => candle(i)));
    const late = writeCandleCsv([20, 21, 22, 23, 24, 26, 27, 28, 29].map((i) => candle(i)));
    for (const file of [early, late]) {
      const result = await runDataCli(["import", file, "--symbol", "BTC/USDT", "--resolution", "1h"], env);
      expect(result.code).toBe(0);
    }
    const [table, json] = await Promise.all([runDataCli(["list"], env), runDataCli(["list", "--json"], env)]);
    expect(table.stdout).toBe(
      [
        "source   symbol    res  from              to                   span  candles  filled      missing",
        "binance  BTC/USDT  1h   2024-01-01 00:00  2024-01-02 06:00  1 d 6 h       20       1  10 in 1 gap",
        "  gap 2024-01-01 10:00 → 2024-01-01 20:00  10 candles (10 h)",
        "",
      ].join("\n"),
    );
    expect(JSON.parse(json.stdout)).toEqual({
      markets: [
        {
          ...market("BTC/USDT"),
          from: T0,
          to: T0 + 29 * HOUR,
          count: 20,
          filled: 1,
          gaps: [{ from: T0 + 10 * HOUR, to: T0 + 19 * HOUR, missing: 10 }],
        },
      ],
    });
  });
});

describe("bad arguments (real processes)", () => {
  it("exit with code 2 and a message naming the argument (each case is in args.test.ts)", async () => {
    const cases: [string[], string][] = [
      [["download", "--symbols", "BTC/USDT", "--from", "2024-01-01"], "--resolution is required"],
      [["import", "/nonexistent.csv", "--symbol", "BTC/USDT", "--resolution", "1h"], "FILE: cannot read /nonexistent.csv (ENOENT)"],
      [["import", "/nonexistent.csv", "--symbol", "BTC/USDT", "--resolution", "1h", "--source", "nope"], '--source: ccxt has no exchange "nope"'],
    ];
    const results = await Promise.all(cases.map(([args]) => runDataCli(args, env)));
    results.forEach((result, i) => {
      expect({ args: cases[i][0], code: result.code }).toEqual({ args: cases[i][0], code: 2 });
      expect(result.stderr).toContain(cases[i][1]);
      expect(result.stderr).toContain("usage: npm run --silent data -- COMMAND");
    });
  });
});
