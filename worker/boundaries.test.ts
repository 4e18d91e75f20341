// Boundary arithmetic and the catch-up policy for every resolution, on hand-picked times.
import { RESOLUTION_MS, RESOLUTIONS } from "../db/contracts/domain";
import {
  catchUpReach,
  catchUpWindow,
  closesBetween,
  isMissed,
  latestClose,
  missedCloses,
  nextBoundary,
  MISSED_LOOKBACK_CLOSES,
} from "./boundaries";

const T = Date.UTC(2026, 0, 5, 0, 0, 0); // a Monday 00:00 UTC: every resolution has a close here

describe("boundaries", () => {
  it.each(RESOLUTIONS)("%s closes on multiples of its length, aligned to UTC", (r) => {
    const ms = RESOLUTION_MS[r];
    expect(latestClose(T, r)).toBe(T);
    expect(latestClose(T + ms - 1, r)).toBe(T);
    expect(latestClose(T + ms, r)).toBe(T + ms);
    expect(nextBoundary(T, [r])).toBe(T + ms);
    expect(nextBoundary(T - 1, [r])).toBe(T);
  });

  it("aligns 4h to 00, 04, 08 ... UTC and 1d to midnight UTC", () => {
    expect(new Date(nextBoundary(T + 5 * 3_600_000, ["4h"])!).toISOString()).toBe("2026-01-05T08:00:00.000Z");
    expect(new Date(nextBoundary(T + 1, ["1d"])!).toISOString()).toBe("2026-01-06T00:00:00.000Z");
  });

  it("picks the soonest boundary among several resolutions, none without any", () => {
    expect(nextBoundary(T + 61_000, ["1h", "5m", "15m"])).toBe(T + 300_000);
    expect(nextBoundary(T, [])).toBeNull();
  });

  it("lists the closes a late timer passed, newest kept when capped", () => {
    expect(closesBetween(T, T + 3 * 60_000 + 5, "1m")).toEqual([T + 60_000, T + 120_000, T + 180_000]);
    expect(closesBetween(T, T + 5 * 60_000, "1m", 2)).toEqual([T + 240_000, T + 300_000]);
    expect(closesBetween(T, T + 59_999, "1m")).toEqual([]);
  });
});

describe("catch-up policy", () => {
  const grace = 30_000;

  it("never calls the latest due close missed, however late", () => {
    const now = T + 10 * 60_000 + 59_000;
    expect(isMissed(T + 10 * 60_000, "1m", now, 0)).toBe(false);
  });

  it("marks older closes missed after the grace", () => {
    const now = T + 10 * 60_000 + 5_000;
    expect(isMissed(T + 9 * 60_000, "1m", now, 70_000)).toBe(false);
    expect(isMissed(T + 9 * 60_000, "1m", now, grace)).toBe(true);
  });

  it("after downtime: the latest close is executed, the older unexecuted ones are missed, the executed ones untouched", () => {
    // Last ran at T + 2m; down until T + 7m 10s.
    const now = T + 7 * 60_000 + 10_000;
    const window = catchUpWindow(now, "1m", T);
    expect(window.latest).toBe(T + 7 * 60_000);
    const missed = missedCloses(window, "1m", [T, T + 60_000, T + 120_000], now, grace);
    expect(missed).toEqual([T + 180_000, T + 240_000, T + 300_000, T + 360_000]);
  });

  it("starts no earlier than the market became active", () => {
    const now = T + 7 * 60_000 + 10_000;
    const window = catchUpWindow(now, "1m", T + 4 * 60_000 + 30_000);
    expect(missedCloses(window, "1m", [], now, grace)).toEqual([T + 300_000, T + 360_000]);
  });

  it.each(RESOLUTIONS)("looks back at most %s x 100 closes, and never more than a day", (r) => {
    const now = T + 400 * RESOLUTION_MS[r];
    const window = catchUpWindow(now, r, 0);
    const closes = (window.latest - window.from) / RESOLUTION_MS[r];
    expect(closes).toBe(Math.min(MISSED_LOOKBACK_CLOSES, 86_400_000 / RESOLUTION_MS[r]));
  });

  it("at a high TIME_SCALE looks back past the grace and two sweeps, so every close passes through a sweep once it is missed", () => {
    const scale = 3600;
    const missedAfter = 30_000 * scale; // 30 h simulated: longer than the day the window used to stop at
    const reach = catchUpReach(missedAfter, scale);
    const now = T + 400 * 3_600_000;
    const window = catchUpWindow(now, "1h", 0, reach);
    expect((window.latest - window.from) / 3_600_000).toBe(30 + 2 * 60);
    const missed = missedCloses(window, "1h", [], now, missedAfter);
    expect(missed.length).toBe(120 + 1);
  });
});
