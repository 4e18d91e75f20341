// Bench: 1,000 strategies over 10 markets due at one close, 2 worker processes, candles from the exchange
// simulator (its own process) through the candle store; the floor is the same boundary on the simulated
// market in the same run (same store writes and reads, no HTTP). Figures: exchange requests, seconds until
// every execution is terminal, and their ratio to the floor (target: 10 requests, ratio <= 1.5).
// The floor is the right one: both runs do the same store reads and writes, sandbox runs and fan-out;
// the ratio is what exchange candles (HTTP, ccxt, the market lock) add. Flags: --strategies N --markets N --workers N
import { RESOLUTION_MS } from "../db/contracts/domain";
import { startMarketDeployment } from "../test/support/worker/market-deployment";
import { latestClose } from "../worker/boundaries";
import type { CandleJob } from "../worker/candle-jobs";
import { numberFlag } from "./_args";
import type { Need } from "./_needs";
import { againstFloor, printResult, round } from "./_stats";

export const needs: readonly Need[] = ["sandbox", "redis", "postgres"];

const SYMBOLS = ["BTC", "ETH", "SOL", "XRP", "ADA", "DOGE", "AVAX", "DOT", "LINK", "LTC", "BNB", "TRX"].map(
  (base) => `${base}/USDT`,
);

/** One deployment, one close: seconds from the enqueue until every key is terminal, and the klines requests. */
async function boundary(opts: {
  simulated: boolean;
  strategies: number;
  markets: string[];
  workers: number;
}) {
  const d = await startMarketDeployment({
    name: opts.simulated ? "mdsim" : "mdexchange",
    simArgs: ["--symbols", opts.markets.join(",")],
    workers: opts.workers,
    waitBudgetMs: 15_000,
    simulated: opts.simulated,
  });
  try {
    const ids = await Promise.all(
      opts.markets.map((symbol) => d.addStrategies(symbol, Math.ceil(opts.strategies / opts.markets.length))),
    );
    // A close that has just happened, so the simulator has published it and the workers execute it.
    const closeTime = latestClose(Date.now(), "1m");
    const keys: CandleJob[] = ids.flatMap((list, m) =>
      list.map((strategyId) => ({ strategyId, symbol: opts.markets[m], resolution: "1m", closeTime })),
    );
    await d.sim.resetRequests();
    const started = performance.now();
    const report = await d.run(keys, 600_000);
    const seconds = (performance.now() - started) / 1000;
    if (report.problems.length > 0)
      throw new Error(`invariants broken: ${report.problems.slice(0, 5).join("; ")}`);
    const requests = (await d.sim.requests())["/api/v3/klines"] ?? 0;
    return { seconds, requests, byStatus: report.byStatus, keys: keys.length };
  } finally {
    await d.cleanup();
  }
}

export default async function marketData(args: string[]) {
  const strategies = numberFlag(args, "strategies", 1000, 40);
  const markets = SYMBOLS.slice(0, numberFlag(args, "markets", 10, 4));
  const workers = numberFlag(args, "workers", 2);
  // Not across a minute boundary: a close passing mid-run would split the work between two closes.
  const untilNextMinute = RESOLUTION_MS["1m"] - (Date.now() % RESOLUTION_MS["1m"]);
  if (untilNextMinute < 5_000) await new Promise((r) => setTimeout(r, untilNextMinute + 500));

  const floor = await boundary({ simulated: true, strategies, markets, workers });
  console.log(
    `simulated market (floor): ${floor.keys} executions ${JSON.stringify(floor.byStatus)} in ${round(floor.seconds, 2)} s`,
  );
  const exchange = await boundary({ simulated: false, strategies, markets, workers });
  console.log(
    `exchange simulator: ${exchange.keys} executions ${JSON.stringify(exchange.byStatus)} in ${round(exchange.seconds, 2)} s, ${exchange.requests} klines requests for ${markets.length} markets`,
  );
  const headline = againstFloor("seconds until all terminal", exchange.seconds, floor.seconds, {
    unit: "s",
    floorIs: "the same boundary on the simulated market",
  });
  console.log(`exchange requests: ${exchange.requests} (target ${markets.length}); ratio target <= 1.5`);
  printResult("market-data", headline, {
    strategies: exchange.keys,
    markets: markets.length,
    exchange_requests: exchange.requests,
    seconds: round(exchange.seconds, 2),
    simulated_seconds: round(floor.seconds, 2),
  });
}
