// Bench: 1,000 strategies x 10 subscribers due at one boundary, 2 worker processes on real Postgres and Redis:
// seconds from the boundary's enqueue until every execution is terminal.
// The floor is a bare sandboxed run per strategy: the same code on the same window once for every strategy, in one
// runner with as many runs at once as all the workers together, and nothing else (no queue, lock, store or
// fan-out). Every due strategy must run once whatever the design, so the ratio is what the platform adds to that.
// Flags: --strategies N --subscribers N --workers N --concurrency N --runs N (Python runs at once per worker)
import { readdirSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { createTestStore } from "../test/support/store";
import { createSharedServices, stopAll } from "../test/support/worker/processes";
import { buildScenario, checkInvariants } from "../test/support/worker/scenario";
import { BUY_CODE } from "../test/support/worker/strategies";
import { createStrategyRunner, sampleCandles } from "../worker/runtime";
import { numberFlag } from "./_args";
import { PYTHON, type Need } from "./_needs";
import { againstFloor, printResult, round } from "./_stats";

export const needs: Need[] = ["sandbox", "redis", "postgres"];

/** CPU ms (user + system, optionally with reaped children's) of every live process whose command name matches. */
function cpuOf(pattern: RegExp, withChildren = false): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!pattern.test(name)) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
      if (withChildren) ticks += Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks * 10;
}

/** [own, reaped children's] CPU ms of one process. */
function cpuOfPid(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [(Number(fields[11]) + Number(fields[12])) * 10, (Number(fields[13]) + Number(fields[14])) * 10];
}

/** Seconds to run `code` once per strategy in bare sandboxes, `parallel` runs at once (after one warm-up per slot). */
async function bareRunsSeconds(code: string, strategies: number, parallel: number): Promise<number> {
  const runner = createStrategyRunner({
    python: PYTHON,
    maxConcurrent: parallel,
  });
  const candles = sampleCandles(10);
  const runAll = (count: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const result = await runner.runLive({ code, candles });
        if (!result.ok) throw new Error(`bare run failed: ${JSON.stringify(result.error)}`);
      }),
    );
  try {
    await runAll(parallel);
    const started = performance.now();
    await runAll(strategies);
    return (performance.now() - started) / 1000;
  } finally {
    await runner.close();
  }
}

export default async function boundary(args: string[]) {
  const strategies = numberFlag(args, "strategies", 1000, 20);
  const subscribers = numberFlag(args, "subscribers", 10, 3);
  const workerCount = numberFlag(args, "workers", 2);
  const concurrency = numberFlag(args, "concurrency", 4);
  const runConcurrency = numberFlag(args, "runs", 2);

  const store = await createTestStore();
  const services = await createSharedServices("boundary");
  const workers = [];
  try {
    const setupStarted = performance.now();
    const scenario = await buildScenario(store, { strategies, subscribers, closes: 1, code: BUY_CODE });
    console.log(
      `setup: ${strategies} strategies x ${subscribers} subscribers in ${round((performance.now() - setupStarted) / 1000, 1)} s`,
    );

    // Before the workers start and after they stop, so nothing competes with the floor's runs and load that
    // changes during the run weighs on both sides.
    const parallel = workerCount * runConcurrency;
    const floorBefore = await bareRunsSeconds(BUY_CODE, strategies, parallel);

    for (let i = 0; i < workerCount; i++) {
      workers.push(
        // Throughput, not staleness, is measured here: a minute boundary passing mid-run must not skip keys.
        services.spawn(store.url, `bench-${i}`, { concurrency, runConcurrency, missedAfterRealMs: 600_000 }),
      );
    }
    await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready")));

    // The boundary: every worker's scheduler offers the same jobs at once.
    // Sandboxes are warm supervisors that fork one child per run: their CPU includes their reaped children's.
    const services0 = {
      postgres: cpuOf(/^postgres/),
      redis: cpuOf(/^redis/),
      sandboxes: cpuOf(/^(python3|bwrap)/, true),
    };
    const workers0 = workers.map((w) => cpuOfPid(w.child.pid!));
    const started = performance.now();
    for (const w of workers) w.send({ cmd: "enqueue", jobs: scenario.keys });
    let done = 0;
    for (;;) {
      const [{ n }] = await store.db.all<{ n: number }>(
        sql`SELECT count(*) AS n FROM executions WHERE status != 'RUNNING'`,
      );
      done = Number(n);
      if (done >= scenario.keys.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const workerCpu = workers.map((w, i) => cpuOfPid(w.child.pid!).map((v, k) => v - workers0[i][k]));
    console.log(
      `cpu during the run: postgres ${cpuOf(/^postgres/) - services0.postgres} ms, redis ${cpuOf(/^redis/) - services0.redis} ms, ` +
        `workers ${workerCpu.map(([own]) => own).join(" + ")} ms, ` +
        `sandboxes ${cpuOf(/^(python3|bwrap)/, true) - services0.sandboxes} ms (live ones, runs included)`,
    );

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
      console.log(
        `${w.child.pid}: ${pick("candlecast_strategy_run_seconds")}; ${pick("candlecast_fanout_seconds")}; ${pick("candlecast_execution_seconds")}`,
      );
    }
    await stopAll(workers);
    const floorAfter = await bareRunsSeconds(BUY_CODE, strategies, parallel);
    console.log(`floor before the run ${round(floorBefore, 2)} s, after it ${round(floorAfter, 2)} s`);
    const floorSeconds = (floorBefore + floorAfter) / 2;
    const allTerminal = againstFloor(`${strategies} strategies until all terminal`, seconds, floorSeconds, {
      unit: "s",
      floorIs: `one bare sandboxed run per strategy, ${parallel} at once, mean of before and after`,
    });
    printResult("boundary", allTerminal, {
      strategies,
      subscribers,
      workers: workerCount,
      seconds: round(seconds, 2),
    });
  } finally {
    await stopAll(workers);
    await services.cleanup();
    store.cleanup();
  }
}
