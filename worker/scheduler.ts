// The boundary timer: at each candle close it enqueues one job per due (strategy, symbol, resolution, close time).
import type { Logger } from "../db/platform/logger.server";
import { closesBetween, nextBoundary } from "./boundaries";
import type { CandleJob } from "./candle-jobs";
import { resolutionsOf, type ActiveCandle } from "./registry";

export interface SchedulerClock {
  /** Simulated epoch ms (real ms at TIME_SCALE=1). */
  now(): number;
  /** Real milliseconds for a span of simulated ones. */
  toRealMs(simulatedMs: number): number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SchedulerOptions {
  clock: SchedulerClock;
  readCandles(): Promise<ActiveCandle[]>;
  enqueue(jobs: CandleJob[]): Promise<void>;
  logger: Logger;
  timers?: Timers;
  /**
   * Closes per key a late timer may still enqueue (the laptop slept, the event loop stalled);
   * older ones are catch-up's to record as missed.
   */
  maxClosesPerFire?: number;
  /** Longest real wait between two looks at the registry, even with no boundary due. */
  maxWaitRealMs?: number;
}

export interface BoundaryScheduler {
  /** Starts enqueuing the closes after `from` (default now): the time the start-up sweep looked at, so none falls between. */
  start(from?: number): void;
  stop(): void;
  /** Re-reads the registry and re-arms the timer (the registry changed: a resolution may be new). */
  refresh(): void;
  /** Runs one pass now (tests drive it by hand). */
  fire(): Promise<CandleJob[]>;
  /** The simulated time the timer is armed for, or null. */
  readonly armedFor: number | null;
}

export function createBoundaryScheduler(options: SchedulerOptions): BoundaryScheduler {
  const { clock, logger } = options;
  const timers = options.timers ?? realTimers;
  const maxClosesPerFire = options.maxClosesPerFire ?? 3;
  const maxWaitRealMs = options.maxWaitRealMs ?? 30_000;
  let lastSeen = clock.now();
  let handle: unknown = null;
  let armedFor: number | null = null;
  let running = false;
  let firing: Promise<CandleJob[]> | null = null;

  function arm(candles: ActiveCandle[]) {
    if (!running) return;
    if (handle !== null) timers.clearTimeout(handle);
    const next = nextBoundary(clock.now(), resolutionsOf(candles));
    armedFor = next;
    // +1 ms: land just past the boundary, so the close it is for is already "at or before now".
    const wait =
      next === null
        ? maxWaitRealMs
        : Math.min(maxWaitRealMs, Math.max(0, clock.toRealMs(next - clock.now())) + 1);
    handle = timers.setTimeout(() => {
      handle = null;
      void fire();
    }, wait);
  }

  async function pass(): Promise<CandleJob[]> {
    const now = clock.now();
    let candles: ActiveCandle[] = [];
    let jobs: CandleJob[] = [];
    try {
      candles = await options.readCandles();
      jobs = candles.flatMap((c) =>
        closesBetween(lastSeen, now, c.resolution, maxClosesPerFire).map((closeTime) => ({
          strategyId: c.strategyId,
          symbol: c.symbol,
          resolution: c.resolution,
          closeTime,
        })),
      );
      lastSeen = now;
      if (jobs.length > 0) await options.enqueue(jobs);
    } catch (error) {
      // The catch-up sweep is the durable backstop for whatever this pass could not enqueue.
      logger.error({ err: error }, "scheduler: a boundary pass failed");
    }
    arm(candles);
    return jobs;
  }

  function fire(): Promise<CandleJob[]> {
    // Passes never overlap: a second call waits for the running one, then runs its own.
    const previous = firing ?? Promise.resolve([]);
    const next = previous.then(pass, pass);
    firing = next;
    void next.finally(() => {
      if (firing === next) firing = null;
    });
    return next;
  }

  return {
    start(from) {
      if (running) return;
      running = true;
      lastSeen = from ?? clock.now();
      void fire();
    },
    stop() {
      running = false;
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
      armedFor = null;
    },
    refresh() {
      if (running) void fire();
    },
    fire,
    get armedFor() {
      return armedFor;
    },
  };
}
