// The boundary timer driven by hand: a clock and timers the test advances, no sleeping.
import pino from "pino";
import type { Resolution } from "../db/contracts/domain";
import type { CandleJob } from "./candle-jobs";
import type { ActiveCandle } from "./registry";
import { createBoundaryScheduler, type Timers } from "./scheduler";

const T = Date.UTC(2026, 0, 5, 0, 0, 0);

function handDriven(start: number, scale = 1) {
  let now = start;
  let pending: { fn: () => void; at: number } | null = null;
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending = { fn, at: now + ms * scale }),
    clearTimeout: (h) => {
      if (pending === h) pending = null;
    },
  };
  const clock = { now: () => now, toRealMs: (ms: number) => ms / scale };
  return {
    clock,
    timers,
    get pending() {
      return pending;
    },
    /** Moves the clock to the armed time and fires the timer. */
    async tick() {
      const p = pending;
      if (!p) throw new Error("no timer armed");
      pending = null;
      now = Math.max(now, p.at);
      p.fn();
      await new Promise((r) => setTimeout(r, 0));
    },
    set: (t: number) => (now = t),
  };
}

const candle = (strategyId: string, resolution: Resolution): ActiveCandle => ({
  strategyId,
  symbol: "BTC/USDT",
  resolution,
  since: 0,
});

function setup(
  candles: ActiveCandle[],
  opts: { start?: number; scale?: number; maxWaitRealMs?: number } = {},
) {
  const h = handDriven(opts.start ?? T + 1_000, opts.scale ?? 1);
  const enqueued: CandleJob[][] = [];
  const scheduler = createBoundaryScheduler({
    clock: h.clock,
    timers: h.timers,
    readCandles: async () => candles,
    enqueue: async (jobs) => void enqueued.push(jobs),
    logger: pino({ level: "silent" }),
    // Far: these cases follow the boundaries; the idle case sets its own.
    maxWaitRealMs: opts.maxWaitRealMs ?? 1e12,
  });
  return { h, scheduler, enqueued };
}

describe("boundary scheduler", () => {
  it("arms for the next close of the active resolutions and enqueues one job per due key there", async () => {
    const { h, scheduler, enqueued } = setup([candle("a", "1m"), candle("b", "5m"), candle("c", "5m")]);
    scheduler.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(scheduler.armedFor).toBe(T + 60_000);
    // Real ms to wait: up to the boundary, plus 1 ms to land past it.
    expect(h.pending!.at).toBe(T + 60_000 + 1);

    await h.tick(); // T+1m: only the 1m key
    expect(enqueued.pop()).toEqual([
      { strategyId: "a", symbol: "BTC/USDT", resolution: "1m", closeTime: T + 60_000 },
    ]);
    for (let i = 0; i < 4; i++) await h.tick(); // up to T+5m
    const atFive = enqueued.pop()!;
    expect(atFive.map((j) => [j.strategyId, j.closeTime])).toEqual([
      ["a", T + 300_000],
      ["b", T + 300_000],
      ["c", T + 300_000],
    ]);
    expect(scheduler.armedFor).toBe(T + 360_000);
    scheduler.stop();
    expect(h.pending).toBeNull();
  });

  it.each<[Resolution, number]>([
    ["15m", 900_000],
    ["1h", 3_600_000],
    ["4h", 14_400_000],
    ["1d", 86_400_000],
  ])("fires %s keys on their own boundaries only", async (resolution, ms) => {
    const { h, scheduler, enqueued } = setup([candle("x", resolution)]);
    scheduler.start();
    await new Promise((r) => setTimeout(r, 0));
    await h.tick();
    await h.tick();
    expect(enqueued.flat().map((j) => j.closeTime)).toEqual([T + ms, T + 2 * ms]);
  });

  it("computes timers in real ms from the scaled clock: at TIME_SCALE=3600 an hour closes every second", async () => {
    const { h, scheduler } = setup([candle("x", "1h")], { scale: 3600 });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 0));
    // 3,599 simulated seconds to go = 999.7 real ms (+1).
    expect(h.pending!.at).toBeCloseTo(T + 3_600_000 + 3600, 0);
  });

  it("enqueues a few closes a late timer skipped past, not an unbounded backlog", async () => {
    const { h, scheduler, enqueued } = setup([candle("a", "1m")]);
    scheduler.start();
    await new Promise((r) => setTimeout(r, 0));
    h.set(T + 10 * 60_000 + 500); // the machine slept ten minutes
    await h.tick();
    expect(enqueued.flat().map((j) => (j.closeTime - T) / 60_000)).toEqual([8, 9, 10]);
  });

  it("started from the start-up sweep's time, its first pass enqueues the closes since then: none falls between", async () => {
    // The sweep looked at T + 1s (and enqueued T); start() comes 70 s later, past the T + 1m close.
    const { h, scheduler, enqueued } = setup([candle("a", "1m")], { start: T + 71_000 });
    scheduler.start(T + 1_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(enqueued.flat().map((j) => j.closeTime)).toEqual([T + 60_000]);
    await h.tick();
    expect(enqueued.flat().map((j) => j.closeTime)).toEqual([T + 60_000, T + 120_000]);
  });

  it("a registry change re-arms at once for a new resolution", async () => {
    const candles: ActiveCandle[] = [candle("a", "1h")];
    const { scheduler } = setup(candles);
    scheduler.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(scheduler.armedFor).toBe(T + 3_600_000);
    candles.push(candle("b", "1m"));
    scheduler.refresh();
    await new Promise((r) => setTimeout(r, 0));
    expect(scheduler.armedFor).toBe(T + 60_000);
  });

  it("with no active markets it only re-reads the registry now and then", async () => {
    const { h, scheduler, enqueued } = setup([], { maxWaitRealMs: 30_000 });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(scheduler.armedFor).toBeNull();
    expect(h.pending!.at - (T + 1_000)).toBe(30_000);
    await h.tick();
    expect(enqueued).toEqual([]);
  });
});
