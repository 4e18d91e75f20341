// Bench: one candle end to end (job start to events published) for N subscribers: lock, claim, one sandboxed run,
// sizing every subscription, the one transaction (trades, closes, metrics, events) and the publish on the bus.
// Three signal mixes: HOLD (events only), enter/exit (one trade opened or closed per subscriber: the
// headline figure) and reversal (one closed AND one opened per subscriber, the heaviest candle).
// The floor is the raw write of the same number of rows (bench/_raw-write.ts, what fanout-write calls its floor),
// sampled after each measured enter/exit candle on a store of its own: the one part no design can skip, so the
// ratio is what the lock, the run, the sizing and the publish add to the write.
// Flags: --n 1000,10000 --runs 7 --memory (in-process bus instead of Redis)
import { sql } from "drizzle-orm";
import { createInfra, deleteKeysByPrefix } from "../db/infra/index.server";
import { createRedis } from "../db/infra/redis.server";
import { createTestStore, insertStrategy, insertSubscriptions, insertUser } from "../test/support/store";
import { latestClose } from "../worker/boundaries";
import { REDIS_URL } from "../test/support/worker/processes";
import { ENTER_EXIT_CODE, FLIP_CODE, HOLD_CODE } from "../test/support/worker/strategies";
import { createBenchCoordinator } from "./_coordinator";
import { listFlag, numberFlag } from "./_args";
import type { Need } from "./_needs";
import { createRawWriteStore } from "./_raw-write";
import { againstFloor, percentile, printResult, round } from "./_stats";

export const needs = (args: string[]): Need[] =>
  args.includes("--memory") ? ["sandbox"] : ["sandbox", "redis"];

const SCENARIOS = { hold: HOLD_CODE, "enter-exit": ENTER_EXIT_CODE, reversal: FLIP_CODE } as const;
type Scenario = keyof typeof SCENARIOS;

/** `floorSample`, when given, runs after each measured candle; its milliseconds are the floor's samples. */
async function measure(
  n: number,
  scenario: Scenario,
  runs: number,
  useRedis: boolean,
  floorSample?: () => number,
) {
  const store = await createTestStore();
  const keyPrefix = `cc-bench:fanout:${process.pid}:`;
  const infra = await createInfra({ redisUrl: useRedis ? REDIS_URL : undefined, keyPrefix });
  try {
    const author = await insertUser(store, "author");
    const strategy = await insertStrategy(store, author.id, {
      code: SCENARIOS[scenario],
      slug: `fanout-${n}-${process.pid}`,
    });
    await insertSubscriptions(store, strategy.id, n);

    const { metrics, ...coordinator } = createBenchCoordinator(store, infra, {
      onStep: (step) => {
        const t = performance.now();
        stepTimes.push(`${step} +${round(t - lastStep, 1)}`);
        lastStep = t;
      },
    });
    let stepTimes: string[] = [];
    let lastStep = 0;
    const first = latestClose(Date.now(), "1m") - (runs + 1) * 60_000;
    const times: number[] = [];
    const floor: number[] = [];
    // Run 0 is a warm-up (caches, the first position for reversal); the later runs are measured.
    for (let k = 0; k <= runs; k++) {
      const started = performance.now();
      stepTimes = [];
      lastStep = started;
      const outcome = await coordinator.executeCandle({
        strategyId: strategy.id,
        symbol: "BTC/USDT",
        resolution: "1m",
        closeTime: first + k * 60_000,
      });
      const ms = performance.now() - started;
      if (outcome.status !== "executed") throw new Error(`run ${k}: ${JSON.stringify(outcome)}`);
      if (k > 0) {
        times.push(ms);
        if (floorSample) floor.push(floorSample());
      }
      console.log(
        `${scenario} n=${n} run ${k}: ${round(ms, 1)} ms (${outcome.signal}, opened ${outcome.opened}, closed ${outcome.closed})${k === 0 ? " [warm-up]" : ""}; ${stepTimes.join(", ")}`,
      );
    }
    // Every run's events are in the outbox, and the coordinator awaited their PUBLISH. No consumer runs
    // in this process: parsing 10,000 events is the web replicas' work, not the worker's.
    const [{ count }] = await store.db.all<{ count: number }>(
      sql`SELECT count(*) AS count FROM events WHERE type = 'execution'`,
    );
    if (Number(count) !== n * (runs + 1)) throw new Error(`expected ${n * (runs + 1)} events, got ${count}`);
    const sum = Number(/^candlecast_strategy_run_seconds_sum (\S+)/m.exec(metrics.registry.render())?.[1]);
    console.log(
      `${scenario} n=${n}: p50 ${round(percentile(times, 50), 1)} ms, p90 ${round(percentile(times, 90), 1)} ms; strategy run mean ${round((sum / (runs + 1)) * 1000, 1)} ms; bus ${useRedis ? "redis" : "in-process"}`,
    );
    return { p50: percentile(times, 50), p90: percentile(times, 90), floorP50: percentile(floor, 50) };
  } finally {
    await infra.close();
    if (useRedis) {
      const redis = createRedis(REDIS_URL, { logger: { warn: () => {}, error: () => {} } });
      await deleteKeysByPrefix(redis, keyPrefix);
      redis.disconnect();
    }
    store.cleanup();
  }
}

export default async function fanout(args: string[]) {
  const sizes = listFlag(args, "n", [1000, 10_000], [100]);
  const runs = numberFlag(args, "runs", 7, 2);
  const useRedis = !args.includes("--memory");
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const n of sizes) {
    const floorStore = await createRawWriteStore(n);
    try {
      for (const scenario of Object.keys(SCENARIOS) as Scenario[])
        results[`${scenario}:${n}`] = await measure(
          n,
          scenario,
          runs,
          useRedis,
          scenario === "enter-exit" ? floorStore.sample : undefined,
        );
    } finally {
      floorStore.store.cleanup();
    }
  }
  const n = sizes[sizes.length - 1];
  const r = (scenario: Scenario) => results[`${scenario}:${n}`];
  const candle = againstFloor(`enter/exit candle n=${n} p50`, r("enter-exit").p50, r("enter-exit").floorP50, {
    unit: "ms",
    floorIs: `raw write of the same ${n} trades, metrics and events, p50`,
  });
  printResult("fanout", candle, {
    n,
    p50_ms: round(r("enter-exit").p50, 1),
    p90_ms: round(r("enter-exit").p90, 1),
    hold_p50_ms: round(r("hold").p50, 1),
    reversal_p50_ms: round(r("reversal").p50, 1),
    runs,
    bus: useRedis ? "redis" : "in-process",
  });
}
