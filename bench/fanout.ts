// Bench: one candle end to end (job start to events published) for N subscribers: lock, claim, one sandboxed run,
// sizing every subscription, the one transaction (trades, closes, metrics, events) and the publish on the bus.
// Three signal mixes: HOLD (events only), enter/exit (one trade opened or closed per subscriber: the
// headline figure) and reversal (one closed AND one opened per subscriber, the heaviest candle).
// Args: --n 1000,10000 --runs 7 --memory (in-process bus instead of Redis)
import { sql } from "drizzle-orm";
import { createInfra, deleteKeysByPrefix } from "../db/infra/index.server";
import { createRedis } from "../db/infra/redis.server";
import { createTestStore, insertStrategy, insertSubscriptions, insertUser } from "../test/support/store";
import { latestClose } from "../worker/boundaries";
import { REDIS_URL } from "../test/support/worker/processes";
import { ENTER_EXIT_CODE, FLIP_CODE, HOLD_CODE } from "../test/support/worker/strategies";
import { createBenchCoordinator } from "./_coordinator";
import { percentile, printResult, round } from "./_stats";

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

const SCENARIOS = { hold: HOLD_CODE, "enter-exit": ENTER_EXIT_CODE, reversal: FLIP_CODE } as const;
type Scenario = keyof typeof SCENARIOS;

async function measure(n: number, scenario: Scenario, runs: number, useRedis: boolean) {
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
      if (k > 0) times.push(ms);
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
    return { p50: percentile(times, 50), p90: percentile(times, 90) };
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
  const sizes = arg(args, "n", "1000,10000").split(",").map(Number);
  const runs = Number(arg(args, "runs", "7"));
  const useRedis = !args.includes("--memory");
  const results: Record<string, { p50: number; p90: number }> = {};
  for (const n of sizes) {
    for (const scenario of Object.keys(SCENARIOS) as Scenario[])
      results[`${scenario}:${n}`] = await measure(n, scenario, runs, useRedis);
  }
  const n = sizes[sizes.length - 1];
  const r = (scenario: Scenario) => results[`${scenario}:${n}`];
  printResult({
    bench: "fanout",
    n,
    p50_ms: round(r("enter-exit").p50, 1),
    p90_ms: round(r("enter-exit").p90, 1),
    hold_p50_ms: round(r("hold").p50, 1),
    reversal_p50_ms: round(r("reversal").p50, 1),
    runs,
    bus: useRedis ? "redis" : "in-process",
  });
}
