// downloadHistory against the exchange simulator over HTTP (in this process, its clock driven by hand):
// closed candles only, holes filled by the one rule, late candles left for the next run, 429/5xx retried.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { RESOLUTION_MS } from "../../db/contracts/domain";
import { readCandles } from "../../db/store/queries/candles";
import { generatedSource } from "../exchange-sim/candle-source";
import { createExchangeSimServer } from "../exchange-sim/server";
import { createState, NO_FAULTS, type SimState } from "../exchange-sim/state";
import { createTestStore, type TestStore } from "../../test/support/store";
import { createCcxtExchange } from "../../worker/brokers/ccxt-exchange.server";
import { createCcxtUpstream } from "../../worker/market-data/ccxt-upstream.server";
import { pointExchangeAt } from "../../worker/market-data/exchange-url";
import { DEFAULT_BACKOFF } from "./backoff";
import { downloadHistory, downloadSpan, type DownloadRequest } from "./download";

const HOUR = RESOLUTION_MS["1h"];
// 12:30: the 12:00 candle is in progress, 11:00 is the last closed one.
const NOW = Date.UTC(2025, 5, 1, 12, 30);
const IN_PROGRESS = Date.UTC(2025, 5, 1, 12);
const FROM = IN_PROGRESS - 2_500 * HOUR;
const market = (symbol: string) => ({ source: "binance", symbol, resolution: "1h" });

let simNow = NOW;
let state: SimState;
let server: Server;
let base: string;
let store: TestStore;
const sleeps: number[] = [];
let progressText = "";

beforeAll(async () => {
  state = createState({ source: generatedSource(), symbols: ["BTC/USDT", "ETH/USDT"], now: () => simNow });
  server = createExchangeSimServer(state);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(async () => {
  simNow = NOW;
  state.faults = { ...NO_FAULTS };
  state.requests = {};
  sleeps.length = 0;
  progressText = "";
  store = await createTestStore();
});
afterEach(() => store.cleanup());

const klinesRequests = () => state.requests["/api/v3/klines"] ?? 0;
const simulator = (symbol: string, from: number, lastOpen: number) =>
  generatedSource().candles(symbol, "1h", from, lastOpen);

function download(request: Partial<DownloadRequest> = {}) {
  return downloadHistory(
    { symbols: ["BTC/USDT"], resolution: "1h", from: FROM, ...request },
    {
      db: store.db,
      upstream: createCcxtUpstream(pointExchangeAt(createCcxtExchange(), base)),
      progressOut: { write: (text: string) => (progressText += text) },
      backoff: { ...DEFAULT_BACKOFF, sleep: async (ms) => void sleeps.push(ms) },
      now: () => simNow,
    },
  );
}

const stored = (symbol = "BTC/USDT") => readCandles(store.db, market(symbol), 0, Number.MAX_SAFE_INTEGER);
const withoutFilled = <T extends { filled: boolean }>(rows: T[]) => rows.map(({ filled: _, ...c }) => c);

describe("data download", () => {
  it("stores every closed candle up to the one in progress, equal to the exchange's, then asks for nothing more", async () => {
    const summaries = await download({ symbols: ["BTC/USDT", "ETH/USDT"] });
    expect(summaries).toEqual([
      { symbol: "BTC/USDT", stored: 2_500, filled: 0, unpublished: 0 },
      { symbol: "ETH/USDT", stored: 2_500, filled: 0, unpublished: 0 },
    ]);
    for (const symbol of ["BTC/USDT", "ETH/USDT"]) {
      const rows = await stored(symbol);
      expect(rows.at(-1)!.time).toBe(IN_PROGRESS - HOUR);
      expect(withoutFilled(rows)).toEqual(simulator(symbol, FROM, IN_PROGRESS - HOUR));
    }
    // 2,500 candles in pages of 999: three requests per symbol.
    expect(klinesRequests()).toBe(6);
    expect(progressText).toContain("download 100% 5,000/5,000 candles");

    expect(await download()).toEqual([{ symbol: "BTC/USDT", stored: 0, filled: 0, unpublished: 0 }]);
    expect(klinesRequests()).toBe(6);
  });

  it("fills a hole the exchange leaves inside the range: flat at the previous close, volume 0, marked filled", async () => {
    const hole = { from: FROM + 1_200 * HOUR, to: FROM + 1_209 * HOUR };
    state.faults.gaps = [{ symbol: "BTC/USDT", ...hole }];
    const [summary] = await download({ to: FROM + 2_000 * HOUR });
    expect(summary).toEqual({ symbol: "BTC/USDT", stored: 2_000, filled: 10, unpublished: 0 });
    const rows = await stored();
    expect(rows.map((r) => r.time)).toEqual(Array.from({ length: 2_000 }, (_, i) => FROM + i * HOUR));
    const before = rows.find((r) => r.time === hole.from - HOUR)!;
    const filled = rows.filter((r) => r.filled);
    expect(filled.map((r) => r.time)).toEqual(Array.from({ length: 10 }, (_, i) => hole.from + i * HOUR));
    for (const r of filled)
      expect(r).toMatchObject({ open: before.close, high: before.close, low: before.close, close: before.close, volume: 0 });
    const real = rows.filter((r) => !r.filled);
    const expected = simulator("BTC/USDT", FROM, FROM + 1_999 * HOUR).filter(
      (c) => c.time < hole.from || c.time > hole.to,
    );
    expect(withoutFilled(real)).toEqual(expected);
  });

  it("leaves candles the exchange has not published yet for the next run, which stores just those", async () => {
    // Just after 12:00 with the 11:00 close late: the exchange shows nothing newer than 10:00.
    simNow = IN_PROGRESS + 400;
    state.faults.lateMs = 60_000;
    const [late] = await download();
    // 10:00 is the newest shown and nothing after it: it may still be in progress by the exchange's clock.
    expect(late).toEqual({ symbol: "BTC/USDT", stored: 2_498, filled: 0, unpublished: 2 });
    expect((await stored()).at(-1)!.time).toBe(IN_PROGRESS - 3 * HOUR);

    simNow = IN_PROGRESS + 61_000;
    const requestsBefore = klinesRequests();
    const [resumed] = await download();
    expect(resumed).toEqual({ symbol: "BTC/USDT", stored: 2, filled: 0, unpublished: 0 });
    expect(klinesRequests() - requestsBefore).toBe(1);
    expect(withoutFilled(await stored())).toEqual(simulator("BTC/USDT", FROM, IN_PROGRESS - HOUR));
  });

  it("backs off on 429 and 5xx answers and stores each candle once", async () => {
    state.faults.rateLimit = 2;
    state.faults.fail5xx = 1;
    const [summary] = await download({ to: FROM + 1_500 * HOUR });
    expect(summary).toEqual({ symbol: "BTC/USDT", stored: 1_500, filled: 0, unpublished: 0 });
    expect(sleeps).toEqual([250, 500, 1_000]);
    expect(progressText).toMatch(/asking again in 250 ms/);
    expect(withoutFilled(await stored())).toEqual(simulator("BTC/USDT", FROM, FROM + 1_499 * HOUR));
  });

  it("spans whole candles on the resolution's boundaries, never the one in progress, and names an empty span's argument", () => {
    const at = (h: number, m = 0) => Date.UTC(2025, 5, 1, h, m);
    expect(downloadSpan("1h", at(3, 10), at(6, 10), NOW)).toEqual({ from: at(4), to: at(7) });
    expect(downloadSpan("1h", at(3), undefined, NOW)).toEqual({ from: at(3), to: IN_PROGRESS });
    expect(downloadSpan("1h", at(3), at(20), NOW)).toEqual({ from: at(3), to: IN_PROGRESS });
    expect(() => downloadSpan("1h", at(12), undefined, NOW)).toThrow(
      "--from: no 1h candle opening at or after 2025-06-01 12:00 has closed yet",
    );
    expect(() => downloadSpan("1h", at(3, 10), at(3, 50), NOW)).toThrow(
      "--to: no 1h candle opens between --from and --to",
    );
  });
});
