// missingRanges on a real libSQL store: holes between stored candles, and the edges of a requested span.
import { createTestStore, type TestStore } from "../../../test/support/store";
import { missingRanges } from "./candle-gaps";
import { insertCandles, type Market } from "./candles";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const market: Market = { source: "binance", symbol: "BTC/USDT", resolution: "1h" };
const candleAt = (i: number) => ({
  time: T0 + i * HOUR,
  open: 100,
  high: 101,
  low: 99,
  close: 100,
  volume: 1,
  filled: false,
});
const at = (i: number) => T0 + i * HOUR;

let store: TestStore;
beforeEach(async () => {
  store = await createTestStore();
});
afterEach(() => store.cleanup());

async function storeHours(hours: number[]) {
  await insertCandles(store.db, market, hours.map(candleAt));
}

describe("missingRanges", () => {
  it("finds every hole between the first and last stored candle, with its first and last missing open time", async () => {
    await storeHours([0, 1, 2, 5, 6, 8, 9]);
    expect(await missingRanges(store.db, market, HOUR)).toEqual([
      { from: at(3), to: at(4), missing: 2 },
      { from: at(7), to: at(7), missing: 1 },
    ]);
  });

  it("within a span, adds what is missing before the first and after the last stored candle", async () => {
    await storeHours([3, 4, 6]);
    expect(await missingRanges(store.db, market, HOUR, { from: at(0), to: at(10) })).toEqual([
      { from: at(0), to: at(2), missing: 3 },
      { from: at(5), to: at(5), missing: 1 },
      { from: at(7), to: at(9), missing: 3 },
    ]);
  });

  it("a complete span has nothing missing; candles outside the span do not count", async () => {
    await storeHours([0, 1, 2, 3, 10, 20]);
    expect(await missingRanges(store.db, market, HOUR, { from: at(0), to: at(4) })).toEqual([]);
    expect(await missingRanges(store.db, market, HOUR, { from: at(1), to: at(3) })).toEqual([]);
  });

  it("an empty span is missing whole; an empty store without a span has no gaps", async () => {
    expect(await missingRanges(store.db, market, HOUR)).toEqual([]);
    expect(await missingRanges(store.db, market, HOUR, { from: at(2), to: at(5) })).toEqual([
      { from: at(2), to: at(4), missing: 3 },
    ]);
  });

  it("reads only its own market", async () => {
    await storeHours([0, 3]);
    await insertCandles(store.db, { ...market, symbol: "ETH/USDT" }, [1, 2].map(candleAt));
    await insertCandles(store.db, { ...market, source: "kraken" }, [1, 2].map(candleAt));
    expect(await missingRanges(store.db, market, HOUR)).toEqual([{ from: at(1), to: at(2), missing: 2 }]);
  });
});
