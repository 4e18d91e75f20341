// A deployment on real market data for the cross-process tests and the market-data bench: the exchange
// simulator as its own process, a store, Postgres and Redis of its own, and worker processes with
// MARKET_DATA=exchange:binance pointed at the simulator.
import type { CandleJob } from "../../../worker/candle-jobs";
import type { WorkerOptions } from "../../../worker/main";
import { startExchangeSim, type ExchangeSimProcess } from "../exchange-sim-process";
import { createTestStore, insertStrategy, insertSubscriptions, insertUser, type TestStore } from "../store";
import { createSharedServices, stopAll, type SharedServices, type WorkerProcess } from "./processes";
import { waitUntilTerminal, type InvariantReport } from "./scenario";
import { WINDOW_ECHO_CODE } from "./strategies";

export interface MarketDeployment {
  sim: ExchangeSimProcess;
  store: TestStore;
  services: SharedServices;
  workers: WorkerProcess[];
  /** `count` strategies trading `symbol` on 1m, one subscriber each; their ids. */
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
}): Promise<MarketDeployment> {
  const sim = await startExchangeSim(opts.simArgs);
  const store = await createTestStore();
  const services = await createSharedServices(opts.name);
  const author = await insertUser(store, "author");
  const workers = Array.from({ length: opts.workers }, (_, i) =>
    services.spawn(
      store.url,
      `${opts.name}-${i}`,
      { concurrency: 4, missedAfterRealMs: 86_400_000, ...opts.options },
      { marketData: { source: "binance", url: sim.base, waitBudgetMs: opts.waitBudgetMs } },
    ),
  );
  await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready")));
  const scheduled: CandleJob[] = [];
  return {
    sim,
    store,
    services,
    workers,
    async addStrategies(symbol, count, code = WINDOW_ECHO_CODE) {
      const ids = [];
      for (let i = 0; i < count; i++) {
        const s = await insertStrategy(store, author.id, { code, symbols: [symbol] });
        await insertSubscriptions(store, s.id, 1);
        ids.push(s.id);
      }
      return ids;
    },
    async run(keys, timeoutMs) {
      scheduled.push(...keys);
      await services.enqueue(keys);
      return waitUntilTerminal(store, scheduled, { timeoutMs });
    },
    async cleanup() {
      await stopAll(workers);
      await services.cleanup();
      store.cleanup();
      sim.stop();
    },
  };
}
