// Bench: 1,000 strategies x 10 subscribers due at one boundary, 2 worker processes on real Postgres and Redis:
// seconds from the boundary's enqueue until every execution is terminal.
// Args: --strategies N --subscribers N --workers N --concurrency N --runs N (Python runs at once per worker)
import { sql } from "drizzle-orm";
import { createTestStore } from "../db/testing";
import { createSharedServices, POSTGRES_URL, REDIS_URL, spawnWorker, stopAll } from "../worker/testing/processes";
import { buildScenario, checkInvariants } from "../worker/testing/scenario";
import { BUY_CODE } from "../worker/testing/strategies";
import { printResult, round } from "./_stats";

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

export default async function boundary(args: string[]) {
  const strategies = arg(args, "strategies", 1000);
  const subscribers = arg(args, "subscribers", 10);
  const workerCount = arg(args, "workers", 2);
  const concurrency = arg(args, "concurrency", 4);
  const runConcurrency = arg(args, "runs", 2);

  const store = await createTestStore();
  const services = await createSharedServices("boundary");
  const workers = [];
  try {
    const setupStarted = performance.now();
    const scenario = await buildScenario(store, { strategies, subscribers, closes: 1, code: BUY_CODE });
    console.log(`setup: ${strategies} strategies x ${subscribers} subscribers in ${round((performance.now() - setupStarted) / 1000, 1)} s`);

    for (let i = 0; i < workerCount; i++) {
      workers.push(
        spawnWorker({
          workerId: `bench-${i}`,
          databaseUrl: store.url,
          postgresUrl: POSTGRES_URL,
          schema: services.schema,
          redisUrl: REDIS_URL,
          keyPrefix: services.keyPrefix,
          options: { concurrency, runConcurrency },
        }),
      );
    }
    await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready")));

    // The boundary: every worker's scheduler offers the same jobs at once.
    const started = performance.now();
    for (const w of workers) w.send({ cmd: "enqueue", jobs: scenario.keys });
    let done = 0;
    for (;;) {
      const [{ n }] = await store.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM executions WHERE status != 'RUNNING'`);
      done = Number(n);
      if (done >= scenario.keys.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;

    const report = await checkInvariants(store, scenario.keys);
    console.log(`statuses: ${JSON.stringify(report.byStatus)}; problems: ${report.problems.length}`);
    for (const w of workers) w.send({ cmd: "metrics" });
    for (const w of workers) {
      const m = await w.waitFor((x) => x.type === "metrics");
      const text = String(m.text);
      const pick = (name: string) => {
        const sum = Number(new RegExp(`^${name}_sum (\\S+)`, "m").exec(text)?.[1] ?? NaN);
        const count = Number(new RegExp(`^${name}_count (\\S+)`, "m").exec(text)?.[1] ?? NaN);
        return `${name.replace("candlecast_", "")} mean ${round((sum / count) * 1000, 1)} ms x ${count}`;
      };
      console.log(`${w.child.pid}: ${pick("candlecast_strategy_run_seconds")}; ${pick("candlecast_fanout_seconds")}; ${pick("candlecast_execution_seconds")}`);
    }
    printResult({ bench: "boundary", strategies, subscribers, workers: workerCount, seconds: round(seconds, 2) });
  } finally {
    await stopAll(workers);
    await services.cleanup();
    store.cleanup();
  }
}
