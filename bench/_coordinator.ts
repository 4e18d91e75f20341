// The coordinator the in-process benches drive: the real one, on a test store and the given lock/cache/bus.
import pino from "pino";
import type { Store } from "../db/client";
import type { Infra } from "../db/infra/index.server";
import { createCoordinator, type CoordinatorDeps } from "../worker/coordinator";
import { exchangesDisabled } from "../worker/exchange-access";
import { createSimulatedFeed } from "../worker/market-data/simulated-feed";
import { createWorkerMetrics } from "../worker/metrics";
import { createStrategyRunner } from "../worker/runtime";

export function createBenchCoordinator(store: Store, infra: Infra, overrides: Partial<CoordinatorDeps> = {}) {
  const metrics = createWorkerMetrics();
  const coordinator = createCoordinator({
    db: store.db,
    cache: infra.cache,
    lock: infra.lock,
    bus: infra.bus,
    marketData: createSimulatedFeed(),
    runner: createStrategyRunner({ python: "/usr/bin/python3", sandbox: "bwrap", maxConcurrent: 2 }),
    clock: { now: () => Date.now() },
    workerId: "bench",
    logger: pino({ level: "warn" }),
    metrics,
    exchange: exchangesDisabled,
    // Throughput is measured, not staleness: closes in the past are executed, never "missed".
    missedAfterMs: 86_400_000,
    ...overrides,
  });
  return { ...coordinator, metrics };
}
