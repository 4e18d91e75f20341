// `npm run bench -- runtime`: live latency of the SMA example through the TypeScript client against a bare sandboxed
// start, and backtest throughput.
// The floor is a bare sandboxed run: the same bubblewrap sandbox starting `python -I -S -c pass`, nothing else. It is
// what running anything in the sandbox costs without warm sandboxes, and it moves with the machine's process start
// and namespace cost like a live run's fork does; a ratio below 1 is the warm sandbox beating even an empty cold start.
// Flags: --runs 100 --history 100000
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createStrategyRunner, sampleCandles } from "../worker/runtime/index";
import { bwrapCommand } from "../worker/runtime/sandbox-command";
import { numberFlag } from "./_args";
import type { Need } from "./_needs";
import { runProcess } from "./_run-process";
import { againstFloor, percentile, printResult, round } from "./_stats";

export const needs: Need[] = ["sandbox"];

const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const SMA = readFileSync(
  fileURLToPath(new URL("../python/examples/sma_crossover.py", import.meta.url)),
  "utf8",
);
const WARM_UP = 5;

export default async function bench(args: string[]): Promise<void> {
  const runs = numberFlag(args, "runs", 100, 10);
  const historyLength = numberFlag(args, "history", 100_000, 5_000);
  const runner = createStrategyRunner({ python: PYTHON, maxConcurrent: 1 });

  const floorCmd = bwrapCommand(
    "/usr/bin/bwrap",
    { python: PYTHON, packageRoot: fileURLToPath(new URL("../python", import.meta.url)) },
    16 << 20,
    "bench",
    "lean",
    [PYTHON, "-I", "-S", "-c", "pass"],
  );
  const floor: number[] = [];
  for (let i = 0; i < runs + WARM_UP; i++) {
    const outcome = await runProcess(floorCmd, { input: "", timeoutMs: 5000, maxStdoutBytes: 1024 });
    if (i >= WARM_UP) floor.push(outcome.ms);
  }

  const candles = sampleCandles(500);
  const live: number[] = [];
  for (let i = 0; i < runs + WARM_UP; i++) {
    const started = performance.now();
    const result = await runner.runLive({ code: SMA, candles });
    if (!result.ok) throw new Error(`live run failed: ${JSON.stringify(result.error)}`);
    if (i >= WARM_UP) live.push(performance.now() - started);
  }
  console.log(`live (SMA crossover, 500 candles, ${runs} runs): p99 ${round(percentile(live, 99))} ms`);
  const liveRun = againstFloor("live run p50", percentile(live, 50), percentile(floor, 50), {
    unit: "ms",
    floorIs: "bwrap + python -I -S -c pass, p50",
  });

  const history = sampleCandles(historyLength);
  const throughput: Record<string, number> = {};
  for (const perBar of [false, true]) {
    // Median of three end-to-end runs (encode, spawn, parse, compute, answer, zod), so one noisy neighbour does not decide it.
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const result = await runner.runBacktest({ code: SMA, candles: history, perBar });
      times.push(performance.now() - started);
      if (!result.ok) throw new Error(`backtest failed: ${JSON.stringify(result.error)}`);
    }
    const ms = percentile(times, 50);
    const label = perBar ? "per-bar" : "vectorised";
    throughput[label] = history.length / (ms / 1000);
    console.log(
      `backtest ${label} (${history.length.toLocaleString("en")} candles): ${round(ms, 0)} ms end to end, ${Math.round(throughput[label]).toLocaleString("en")} candles/s`,
    );
  }
  await runner.close();

  printResult("runtime", liveRun, {
    live_p50_ms: round(liveRun.figure),
    live_p99_ms: round(percentile(live, 99)),
    backtest_candles_per_s: Math.round(throughput.vectorised),
    backtest_per_bar_candles_per_s: Math.round(throughput["per-bar"]),
  });
}
