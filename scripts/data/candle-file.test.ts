// readCandleFile: both formats, Binance's millisecond and microsecond open times, and a problem per bad line.
import { readCandleFile } from "./candle-file";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** A Binance spot kline dump row; `unit` 1000 gives the microsecond open times of 2025's dumps. */
const binanceRow = (i: number, unit = 1) =>
  [
    (T0 + i * HOUR) * unit,
    100 + i,
    102 + i,
    99 + i,
    101 + i,
    10.5,
    (T0 + (i + 1) * HOUR) * unit - 1,
    1060.5,
    42,
    5.25,
    530.25,
    0,
  ].join(",");
const expected = (i: number) => ({
  time: T0 + i * HOUR,
  open: 100 + i,
  high: 102 + i,
  low: 99 + i,
  close: 101 + i,
  volume: 10.5,
});

describe("readCandleFile", () => {
  it("reads the CLI's CSV with epoch ms or ISO times", () => {
    const text = [
      "time,open,high,low,close,volume",
      `${T0},100,102,99,101,10.5`,
      "2024-01-01T01:00:00Z,101,103,100,102,10.5",
    ].join("\n");
    expect(readCandleFile(text, "1h")).toEqual({
      format: "candlecast",
      candles: [expected(0), expected(1)],
      problems: [],
    });
  });

  it("reads a Binance dump with millisecond open times", () => {
    const file = readCandleFile([0, 1, 2].map((i) => binanceRow(i)).join("\n") + "\n", "1h");
    expect(file).toEqual({ format: "binance", candles: [0, 1, 2].map(expected), problems: [] });
  });

  it("reads a Binance dump with microsecond open times as the same candles", () => {
    const file = readCandleFile([0, 1, 2].map((i) => binanceRow(i, 1000)).join("\r\n"), "1h");
    expect(file).toEqual({ format: "binance", candles: [0, 1, 2].map(expected), problems: [] });
  });

  it("names every bad line and what is wrong with it", () => {
    const text = [
      "time,open,high,low,close,volume", // 1
      `${T0},100,102,99,101,1`, // 2
      `${T0 + HOUR},100,99.5,98,99.8,1`, // 3: high below the open
      `${T0 + 2 * HOUR},100,102,100.5,101,1`, // 4: low above the open
      `${T0 + 3 * HOUR},100,102,99,101,-1`, // 5: negative volume
      `${T0 + 4 * HOUR + 60_000},100,102,99,101,1`, // 6: off the hour
      `${T0 + 5 * HOUR},abc,102,99,101,1`, // 7: not a number
      `${T0 + 6 * HOUR},100,102,99,101,1`, // 8
      `${T0 + 6 * HOUR},100,102,99,101,1`, // 9: repeats line 8
      `${T0 + HOUR},100,102,99,101,1`, // 10: goes back in time
      `${T0 + 7 * HOUR},100,102,99`, // 11: short row
      `yesterday,100,102,99,101,1`, // 12: no time
    ].join("\n");
    expect(readCandleFile(text, "1h").problems).toEqual([
      { line: 3, message: "high 99.5 is below max(open, close) 100" },
      { line: 4, message: "low 100.5 is above min(open, close) 100" },
      { line: 5, message: "volume -1 is negative" },
      { line: 6, message: "time 2024-01-01T04:01:00.000Z is not on a 1h boundary" },
      { line: 7, message: 'open "abc" is not a number' },
      { line: 9, message: "time 2024-01-01T06:00:00.000Z repeats line 8" },
      { line: 10, message: "time 2024-01-01T01:00:00.000Z is before line 9's (rows must be oldest first)" },
      { line: 11, message: "4 columns where the file's rows have 6" },
      { line: 12, message: 'time "yesterday" is neither epoch milliseconds nor an ISO date' },
    ]);
  });

  it("refuses a Binance open time in microseconds that is not a whole millisecond, and an unknown shape", () => {
    const row = binanceRow(0, 1000).replace(/^(\d+)000,/, "$1123,");
    expect(readCandleFile(row, "1h").problems).toEqual([
      { line: 1, message: `open time ${T0 * 1000 + 123} µs is not a whole millisecond` },
    ]);
    expect(readCandleFile("a,b,c\n1,2,3", "1h")).toMatchObject({
      format: null,
      problems: [{ line: 1, message: expect.stringContaining("3 columns: expected time,open,high,low,close,volume") }],
    });
  });

  it("a wrong header, a header alone and an empty file are problems too", () => {
    expect(readCandleFile("time,o,h,l,c,v\n", "1h").problems[0]).toEqual({
      line: 1,
      message: "the header must be time,open,high,low,close,volume",
    });
    expect(readCandleFile("time,open,high,low,close,volume\n", "1h").problems).toEqual([
      { line: 2, message: "the file has no candles" },
    ]);
    expect(readCandleFile("\n\n", "1h").problems).toEqual([{ line: 1, message: "the file is empty" }]);
  });
});
