// A deployment on real market data for the cross-process tests and the market-data bench: the exchange
// simulator as its own process, a store, Postgres and Redis of its own, and worker processes with
// MARKET_DATA=exchange:binance pointed at the simulator.
import type { CandleJob } from "../../../worker/candle-jobs";
import type { WorkerOptions } from "../../../worker/main";
import { startExchangeSim, type ExchangeSimProcess } from "../exchange-sim-process";
import { createTestStore, insertStrategy, insertSubscriptions, insertUser, type TestStore } from "../store";
import { createSharedServices, stopAll, type SharedServices, type WorkerProcess } from "./processes";
import { checkInvariants, STRATEGIES_PER_AUTHOR, type InvariantReport } from "./scenario";
import { WINDOW_ECHO_CODE } from "./strategies";

export interface MarketDeployment {
  sim: ExchangeSimProcess;
  store: TestStore;
  services: SharedServices;
  workers: WorkerProcess[];
  /** `count` strategies trading `symbol` on 1m, one subscriber each, ten per author (ADR 176); their ids. */
  addStrategies(symbol: string, count: number, code?: string): Promise<string[]>;
  /** Enqueues the keys and waits until every key run so far is terminal; the invariants of all of them. */
  run(keys: CandleJob[], timeoutMs?: number): Promise<InvariantReport>;
  cleanup(): Promise<void>;
}

export async function startMarketDeployment(opts: {
  name: string;
  simArgs: string[];
  workers: number;
  waitBudgetMs: number;
  options?: Partial<WorkerOptions>;
  /** The workers read the simulated market instead of the simulator (a bench's floor). */
  simulated?: boolean;
  /** The workers' TIME_SCALE (start the simulator with the same --time-scale). */
  timeScale?: number;
  /** Runs once the simulator is up, before any worker starts. */
  beforeWorkers?: (sim: ExchangeSimProcess) => Promise<void>;
}): Promise<MarketDeployment> {
  const sim = await startExchangeSim(opts.simArgs);
  const store = await createTestStore();
  const services = await createSharedServices(opts.name);
  await opts.beforeWorkers?.(sim);
  const workers = Array.from({ length: opts.workers }, (_, i) =>
    services.spawn(
      store.url,
      `${opts.name}-${i}`,
      { concurrency: 4, missedAfterRealMs: 86_400_000, ...opts.options },
      {
        timeScale: opts.timeScale,
        marketData: opts.simulated
          ? { source: "simulated", waitBudgetMs: opts.waitBudgetMs }
          : { source: "binance", url: sim.base, waitBudgetMs: opts.waitBudgetMs },
      },
    ),
  );
  // A worker starts its sandbox and self-checks it: minutes when the machine is shared.
  await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready", 180_000)));
  const scheduled: CandleJob[] = [];
  let added = 0;
  let author = { id: "" };
  return {
    sim,
    store,
    services,
    workers,
    async addStrategies(symbol, count, code = WINDOW_ECHO_CODE) {
      const ids = [];
      for (let i = 0; i < count; i++, added++) {
        if (added % STRATEGIES_PER_AUTHOR === 0)
          author = await insertUser(store, `author-${added / STRATEGIES_PER_AUTHOR}`);
        const s = await insertStrategy(store, author.id, { code, symbols: [symbol] });
        await insertSubscriptions(store, s.id, 1);
        ids.push(s.id);
      }
      return ids;
    },
    async run(keys, timeoutMs = 90_000) {
      scheduled.push(...keys);
      await services.enqueue(keys);
      // Polled without vitest's helpers: the market-data bench runs this too.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const report = await checkInvariants(store, scheduled);
        if (report.notTerminal.length === 0) return report;
        if (Date.now() > deadline)
          throw new Error(`${report.notTerminal.length} of ${scheduled.length} keys never became terminal`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async cleanup() {
      await stopAll(workers);
      await services.cleanup();
      store.cleanup();
      sim.stop();
    },
  };
}
