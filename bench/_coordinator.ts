// The coordinator the in-process benches drive: the real one, on a test store and the given lock/cache/bus.
import { readdirSync, readFileSync } from "node:fs";
import pino from "pino";
import type { Store } from "../db/store/client";
import type { Infra } from "../db/infra/index.server";
import { createCoordinator, type CoordinatorDeps } from "../worker/coordinator";
import { exchangesDisabled } from "../worker/exchange-access";
import { simulatedUpstream } from "../worker/market-data/simulated-feed";
import { createStoredFeed } from "../worker/market-data/stored-feed";
import { createWorkerMetrics } from "../worker/metrics";
import { createStrategyRunner } from "../worker/runtime";
import { PYTHON } from "./_needs";

/**
 * CPU ms of the runner's live sandboxes, the runs they forked included (a supervisor's reaped children count
 * as its own). The benches keep sandboxes for their whole run (runsPerSandbox) so none takes its CPU away.
 */
export function sandboxCpuMs(processTag: string): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(processTag)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks * 10;
}

export function createBenchCoordinator(store: Store, infra: Infra, overrides: Partial<CoordinatorDeps> = {}) {
  const metrics = createWorkerMetrics();
  const runner = createStrategyRunner({
    python: PYTHON,
    sandbox: "bwrap",
    maxConcurrent: 2,
    runsPerSandbox: 1_000_000,
  });
  const coordinator = createCoordinator({
    db: store.db,
    cache: infra.cache,
    lock: infra.lock,
    bus: infra.bus,
    marketData: createStoredFeed({ db: store.db, lock: infra.lock, upstream: simulatedUpstream }),
    runner,
    clock: { now: () => Date.now() },
    workerId: "bench",
    logger: pino({ level: "warn" }),
    metrics,
    exchange: exchangesDisabled,
    // Throughput is measured, not staleness: closes in the past are executed, never "missed".
    missedAfterMs: 86_400_000,
    ...overrides,
  });
  return { ...coordinator, metrics, runner };
}
