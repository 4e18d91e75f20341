import type { Candle } from "../../db/contracts/domain";
import { atr, trueRange } from "./atr";

const bar = (i: number, high: number, low: number, close: number): Candle => ({
  time: i * 60_000,
  open: (high + low) / 2,
  high,
  low,
  close,
  volume: 1,
});

// True ranges worked by hand: 2, 2.5, 1.5 (seed 2), then 3.5 (gap up) and 4.5.
const window = [
  bar(0, 10, 8, 9),
  bar(1, 11, 9, 10),
  bar(2, 12, 9.5, 11),
  bar(3, 11.5, 10, 10.5),
  bar(4, 14, 12, 13),
  bar(5, 13.5, 9, 10),
];

describe("trueRange", () => {
  it.each([
    ["inside bar: high − low", bar(1, 11, 9, 10), 9, 2],
    ["gap up: high − previous close", bar(4, 14, 12, 13), 10.5, 3.5],
    ["gap down: previous close − low", bar(6, 8, 7, 7.5), 10, 3],
  ])("%s", (_name, candle, previousClose, expected) => {
    expect(trueRange(candle, previousClose)).toBeCloseTo(expected, 9);
  });
});

describe("trueRange: odd input", () => {
  it.each([
    { name: "all zero", candle: bar(0, 0, 0, 0), previousClose: 0, expected: 0 },
    {
      name: "negative prices: the distance still counts",
      candle: bar(0, -1, -3, -2),
      previousClose: -5,
      expected: 4,
    },
    { name: "huge prices", candle: bar(0, 1e300, -1e300, 0), previousClose: 0, expected: 2e300 },
    {
      name: "NaN previous close (no previous candle)",
      candle: bar(0, 10, 8, 9),
      previousClose: NaN,
      expected: NaN,
    },
    { name: "NaN high", candle: bar(0, NaN, 8, 9), previousClose: 9, expected: NaN },
  ])("$name → $expected (ATR then skips the entry as zero_atr)", ({ candle, previousClose, expected }) => {
    expect(trueRange(candle, previousClose)).toBe(expected);
  });
});

describe("atr (Wilder)", () => {
  it.each([
    [4, 2],
    [5, 2.5],
    [6, 9.5 / 3],
  ])("over the first %i candles with period 3 is %f", (count, expected) => {
    expect(atr(window.slice(0, count), 3)).toBeCloseTo(expected, 9);
  });

  it("needs period + 1 candles", () => {
    expect(atr(window.slice(0, 3), 3)).toBeNull();
    expect(atr(window, 14)).toBeNull();
  });

  it("is zero on a flat market", () => {
    const flat = Array.from({ length: 20 }, (_, i) => bar(i, 5, 5, 5));
    expect(atr(flat)).toBe(0);
  });

  it.each([0, -3, 2.5, NaN, Infinity])("rejects the period %s", (period) => {
    expect(() => atr(window, period)).toThrow(RangeError);
  });

  it.each([
    { name: "empty", candles: [], period: 3, expected: null },
    { name: "single", candles: [bar(0, 10, 8, 9)], period: 1, expected: null },
    { name: "huge period", candles: window, period: 1e9, expected: null },
    { name: "huge prices", candles: [bar(0, 1e300, 0, 1), bar(1, 1e300, 0, 1)], period: 1, expected: 1e300 },
  ])("$name → $expected", ({ candles, period, expected }) => {
    expect(atr(candles, period)).toBe(expected);
  });

  it("is NaN, not a number a stop can be sized from, when a candle is NaN (sizePosition skips it)", () => {
    const broken = [...window.slice(0, 4), bar(4, NaN, 12, 13)];
    expect(atr(broken, 3)).toBeNaN();
  });
});
