// utcDayStart is the daily-loss bucket (ADR 032, 126): odd times must still land on the day that holds them.
import { utcDayStart } from "./domain";

const DAY = 86_400_000;

describe("utcDayStart", () => {
  it.each([
    { name: "the epoch", t: 0, expected: 0 },
    { name: "the last millisecond of a day", t: 20_000 * DAY - 1, expected: 19_999 * DAY },
    { name: "midnight opens the next day", t: 20_000 * DAY, expected: 20_000 * DAY },
    { name: "a daily candle's close is the next day's start", t: 20_000 * DAY + DAY, expected: 20_001 * DAY },
    { name: "before 1970: the day that holds it, not the next", t: -1, expected: -DAY },
    { name: "a negative midnight", t: -3 * DAY, expected: -3 * DAY },
    { name: "huge", t: 8.64e15, expected: 8.64e15 },
    { name: "fractional milliseconds", t: 5 * DAY + 0.5, expected: 5 * DAY },
  ])("$name", ({ t, expected }) => {
    expect(utcDayStart(t)).toBe(expected);
  });

  it("has no day for a time that is not a number", () => {
    expect(utcDayStart(NaN)).toBeNaN();
    expect(utcDayStart(Infinity)).toBeNaN();
  });
});
