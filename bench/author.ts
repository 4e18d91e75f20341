// `npm run bench -- author`: validation latency (handler, and queued through pg-boss to the result event) and backtest
// wall time, each against the bare sandbox calls it is made of.
// The floors: a validation must at least read the manifest, then run the code live and as a backtest on the same
// 300 candles, so its floor is those three runner calls alone (no job, no store, no event); a backtest must at least
// run the strategy over its history, so its floor is one runner backtest over the same candles (no chunks, no risk,
// no paper fills, no store). Same runner, same warm sandboxes: the ratio is what the job around them adds.
// Flags: --runs 50 --bars 10000
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { outboxMessageSchema } from "../db/contracts/events";
import { createInfra } from "../db/infra/index.server";
import { QUEUES } from "../db/contracts/queues-and-channels";
import { createBacktest, getBacktest } from "../db/store/queries/backtests";
import { createTestStore, insertStrategy, insertUser } from "../test/support/store";
import { backtestRequestSchema } from "../db/contracts/validation/backtest";
import { RISK_DEFAULTS_INPUT } from "../db/contracts/validation/risk-settings";
import { createJobSender, registerAuthorJobs } from "../worker/jobs";
import { runBacktest } from "../worker/jobs/run-backtest";
import { validateStrategy } from "../worker/jobs/validate-strategy";
import { createQueue } from "../worker/queue";
import { simulatedCandles } from "../worker/market-data/simulated-feed";
import { createStrategyRunner, sampleCandles, type StrategyRunner } from "../worker/runtime";
import { numberFlag, QUICK } from "./_args";
import { PYTHON, type Need } from "./_needs";
import { againstFloor, percentile, printResult, round } from "./_stats";

export const needs: Need[] = ["sandbox"];

const example = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../python/examples/${file}`, import.meta.url)), "utf8");

/** Milliseconds of the sandbox calls a validation makes, made directly. */
async function bareValidationMs(runner: StrategyRunner, code: string): Promise<number> {
  const started = performance.now();
  const manifest = await runner.readManifest(code);
  if (!manifest.ok) throw new Error(JSON.stringify(manifest.error));
  const candles = sampleCandles(300 + (manifest.manifest.lookback ?? 0));
  const results = await Promise.all([
    runner.runLive({ code, candles }),
    runner.runBacktest({ code, candles }),
  ]);
  for (const r of results) if (!r.ok) throw new Error(JSON.stringify(r.error));
  return performance.now() - started;
}

export default async function bench(args: string[]): Promise<void> {
  const runs = numberFlag(args, "runs", 50, 3);
  const bars = numberFlag(args, "bars", 10_000, 1_000);
  const repeats = QUICK ? 1 : 3;
  const store = await createTestStore();
  const infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  const runner = createStrategyRunner({ python: PYTHON });
  const deps = { store, bus: infra.bus, runner, lock: infra.lock };
  const user = await insertUser(store, "bench");
  const sma = example("sma_crossover.py");
  const rsi = example("rsi_mean_reversion.py");
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-bench-author-"));
  try {
    // 1. The handler alone: manifest, live run and a 300-candle backtest in the sandbox, result written and published.
    // Interleaved with the floor, so both see the same load.
    const handler: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const started = performance.now();
      const result = await validateStrategy(deps, { requestId: `b-${i}`, userId: user.id, code: sma });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      const ms = performance.now() - started;
      const bareMs = await bareValidationMs(runner, sma);
      if (i >= 3) {
        handler.push(ms);
        bare.push(bareMs);
      }
    }
    console.log(`validate (handler, SMA crossover, ${runs} runs): p99 ${round(percentile(handler, 99))} ms`);
    const validate = againstFloor("validate (handler) p50", percentile(handler, 50), percentile(bare, 50), {
      unit: "ms",
      floorIs: "manifest + live + backtest runner calls, p50",
    });

    // 2. As the web app sees it: send through pg-boss (embedded PGlite), a registered worker runs it, the event arrives.
    const queue = await createQueue({ dataDir });
    const registered = await registerAuthorJobs(queue.boss, deps);
    const sender = createJobSender(queue.boss, infra.bus, { warn: () => {} });
    const waiting = new Map<string, () => void>();
    await infra.bus.subscribe(CHANNELS.outbox, (m) => {
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
      await sender.send(QUEUES.validateStrategy, { requestId, userId: user.id, code: sma });
      await done;
      if (i >= 3) queued.push(performance.now() - started);
    }
    console.log(
      `validate (queued → result event, pg-boss on PGlite): p99 ${round(percentile(queued, 99))} ms`,
    );
    const validateQueued = againstFloor(
      "validate (queued → result event) p50",
      percentile(queued, 50),
      validate.floor,
      {
        unit: "ms",
        floorIs: "the same runner calls",
      },
    );
    await registered.stop();
    await queue.close();

    // 3. Backtests of `bars` hourly candles: strategy runs in chunks, then the live risk and paper code.
    const HOUR = 3_600_000;
    const to = Date.UTC(2025, 0, 1);
    const history = simulatedCandles("BTC/USDT", "1h", to, bars);
    const backtestMs: Record<string, ReturnType<typeof againstFloor>> = {};
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
      const floor: number[] = [];
      let trades = 0;
      for (let i = 0; i < repeats; i++) {
        const request = backtestRequestSchema.parse({
          ...RISK_DEFAULTS_INPUT,
          symbol: "BTC/USDT",
          from: to - bars * HOUR,
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
        const bareStarted = performance.now();
        const bareRun = await runner.runBacktest({ code, candles: history });
        if (!bareRun.ok) throw new Error(JSON.stringify(bareRun.error));
        floor.push(performance.now() - bareStarted);
      }
      const name = label === "per_bar" ? "RSI, per bar" : "SMA, vectorised";
      backtestMs[label] = againstFloor(
        `backtest ${bars} × 1h candles (${name}, ${trades} trades) median of ${repeats}`,
        percentile(times, 50),
        percentile(floor, 50),
        { unit: "ms", floorIs: "one runner backtest over the same candles" },
      );
    }

    printResult("author", validateQueued, {
      validate_p50_ms: round(validate.figure),
      validate_p99_ms: round(percentile(handler, 99)),
      validate_ratio: round(validate.ratio),
      validate_queued_p50_ms: round(validateQueued.figure),
      bars,
      backtest_ms: round(backtestMs.vectorised.figure, 0),
      backtest_ratio: round(backtestMs.vectorised.ratio),
      backtest_per_bar_ms: round(backtestMs.per_bar.figure, 0),
      backtest_per_bar_ratio: round(backtestMs.per_bar.ratio),
    });
  } finally {
    await infra.close();
    store.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
