// `npm run bench -- author`: validation latency (handler, and queued through pg-boss to the result event) and backtest wall time.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OUTBOX_CHANNEL, outboxMessageSchema } from "../db/contracts/events";
import { createInfra } from "../db/infra/index.server";
import { JOB_NAMES } from "../db/contracts/jobs";
import { createBacktest, getBacktest } from "../db/store/queries/backtests";
import { createTestStore, insertStrategy, insertUser } from "../test/support/store";
import { backtestRequestSchema } from "../db/contracts/validation/backtest";
import { RISK_DEFAULTS_INPUT } from "../db/contracts/validation/risk-settings";
import { createJobSender, registerAuthorJobs } from "../worker/jobs";
import { runBacktest } from "../worker/jobs/run-backtest";
import { validateStrategy } from "../worker/jobs/validate-strategy";
import { createQueue } from "../worker/queue";
import { createStrategyRunner } from "../worker/runtime";
import { percentile, printResult, round } from "./_stats";

const example = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../python/examples/${file}`, import.meta.url)), "utf8");

export default async function bench(args: string[]): Promise<void> {
  const runs = Math.max(20, Number(args[0] ?? 50));
  const store = await createTestStore();
  const infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  const runner = createStrategyRunner({ python: process.env.PYTHON ?? "/usr/bin/python3" });
  const deps = { store, bus: infra.bus, runner };
  const user = await insertUser(store, "bench");
  const sma = example("sma_crossover.py");
  const rsi = example("rsi_mean_reversion.py");
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-bench-author-"));
  try {
    // 1. The handler alone: manifest, live run and a 300-candle backtest in the sandbox, result written and published.
    const handler: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const started = performance.now();
      const result = await validateStrategy(deps, { requestId: `b-${i}`, userId: user.id, code: sma });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      if (i >= 3) handler.push(performance.now() - started);
    }
    console.log(
      `validate (handler, SMA crossover, ${runs} runs): p50 ${round(percentile(handler, 50))} ms, p99 ${round(percentile(handler, 99))} ms`,
    );

    // 2. As the web app sees it: send through pg-boss (embedded PGlite), a registered worker runs it, the event arrives.
    const queue = await createQueue({ dataDir });
    const registered = await registerAuthorJobs(queue.boss, deps);
    const sender = createJobSender(queue.boss, infra.bus);
    const waiting = new Map<string, () => void>();
    await infra.bus.subscribe(OUTBOX_CHANNEL, (m) => {
      for (const e of outboxMessageSchema.parse(m).events) {
        const requestId = (e.payload as { requestId?: string }).requestId;
        if (e.type === "validation.result" && requestId) waiting.get(requestId)?.();
      }
    });
    const queued: number[] = [];
    for (let i = 0; i < Math.min(runs, 30) + 3; i++) {
      const requestId = `q-${i}`;
      const done = new Promise<void>((resolve) => waiting.set(requestId, resolve));
      const started = performance.now();
      await sender.send(JOB_NAMES.validateStrategy, { requestId, userId: user.id, code: sma });
      await done;
      if (i >= 3) queued.push(performance.now() - started);
    }
    console.log(
      `validate (queued → result event, pg-boss on PGlite): p50 ${round(percentile(queued, 50))} ms, p99 ${round(percentile(queued, 99))} ms`,
    );
    await registered.stop();
    await queue.close();

    // 3. Backtests of 10,000 hourly candles: strategy runs in chunks, then the live risk and paper code.
    const HOUR = 3_600_000;
    const to = Date.UTC(2025, 0, 1);
    const backtestMs: Record<string, number> = {};
    for (const [label, code] of [
      ["vectorised", sma],
      ["per_bar", rsi],
    ] as const) {
      const strategy = await insertStrategy(store, user.id, {
        code,
        resolution: "1h",
        slug: `bench-${label}`,
      });
      const times: number[] = [];
      let trades = 0;
      for (let i = 0; i < 3; i++) {
        const request = backtestRequestSchema.parse({
          ...RISK_DEFAULTS_INPUT,
          symbol: "BTC/USDT",
          from: to - 10_000 * HOUR,
          to,
        });
        const created = await createBacktest(store.db, user.id, strategy.id, request, {
          marketSource: "simulated",
        });
        const started = performance.now();
        const outcome = await runBacktest(deps, { backtestId: created!.id });
        times.push(performance.now() - started);
        if (outcome !== "completed")
          throw new Error(
            `backtest ${outcome}: ${(await getBacktest(store.db, user.id, created!.id))?.error}`,
          );
        trades = (await getBacktest(store.db, user.id, created!.id))!.stats!.trades as number;
      }
      backtestMs[label] = percentile(times, 50);
      console.log(
        `backtest 10,000 × 1h candles (${label === "per_bar" ? "RSI, per bar" : "SMA, vectorised"}): median ${round(backtestMs[label], 0)} ms of 3, ${trades} trades`,
      );
    }

    printResult({
      bench: "author",
      validate_p50_ms: round(percentile(handler, 50)),
      validate_p99_ms: round(percentile(handler, 99)),
      validate_queued_p50_ms: round(percentile(queued, 50)),
      backtest_10k_ms: round(backtestMs.vectorised, 0),
      backtest_10k_per_bar_ms: round(backtestMs.per_bar, 0),
    });
  } finally {
    await infra.close();
    store.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
