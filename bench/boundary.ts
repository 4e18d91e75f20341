// Bench: 1,000 strategies x 10 subscribers due at one boundary, 2 worker processes on real Postgres and Redis:
// seconds from the boundary's enqueue until every execution is terminal.
// Args: --strategies N --subscribers N --workers N --concurrency N --runs N (Python runs at once per worker)
import { readdirSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { createTestStore } from "../test/support/store";
import { createSharedServices, stopAll } from "../test/support/worker/processes";
import { buildScenario, checkInvariants } from "../test/support/worker/scenario";
import { BUY_CODE } from "../test/support/worker/strategies";
import { printResult, round } from "./_stats";

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
    console.log(
      `setup: ${strategies} strategies x ${subscribers} subscribers in ${round((performance.now() - setupStarted) / 1000, 1)} s`,
    );

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
    printResult({
      bench: "boundary",
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
