// `data list`'s table: aligned columns, ranges people read (end at the last close, a span), many gaps summed up.
import { renderStoreTable, type StoredMarketReport } from "./list-store";

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 1);

const report = (r: Partial<StoredMarketReport>): StoredMarketReport => ({
  source: "binance",
  symbol: "BTC/USDT",
  resolution: "1m",
  from: T0,
  to: T0,
  count: 1,
  filled: 0,
  gaps: [],
  ...r,
});

describe("data list table", () => {
  it("aligns every column, ends a range at its last candle's close, and lists three gaps then sums the rest", () => {
    const gaps = [0, 1, 2, 3, 4].map((i) => ({
      from: T0 + (100 + i * 10) * MINUTE,
      to: T0 + (100 + i * 10 + i) * MINUTE,
      missing: i + 1,
    }));
    const table = renderStoreTable([
      report({ to: T0 + 366 * 1440 * MINUTE - MINUTE, count: 527_025, filled: 12, gaps }),
      report({ source: "simulated", symbol: "ETH/USDT", resolution: "1h", from: T0, to: T0 + 5 * 60 * MINUTE, count: 6 }),
    ]);
    expect(table).toBe(
      [
        "source     symbol    res  from              to                 span  candles  filled       missing",
        "binance    BTC/USDT  1m   2024-01-01 00:00  2025-01-01 00:00  366 d  527,025      12  15 in 5 gaps",
        "  gap 2024-01-01 01:40 → 2024-01-01 01:41  1 candle (1 min)",
        "  gap 2024-01-01 01:50 → 2024-01-01 01:52  2 candles (2 min)",
        "  gap 2024-01-01 02:00 → 2024-01-01 02:03  3 candles (3 min)",
        "  … 2 more gaps, 9 candles missing",
        "simulated  ETH/USDT  1h   2024-01-01 00:00  2024-01-01 06:00    6 h        6       0          none",
        "",
      ].join("\n"),
    );
  });

  it("says so when the store is empty", () => {
    expect(renderStoreTable([])).toBe("The candle store is empty.\n");
  });
});
