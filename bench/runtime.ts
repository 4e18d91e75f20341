// `npm run bench -- runtime`: live latency of the SMA example through the TypeScript client, the bare sandbox floor, and backtest throughput.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createStrategyRunner, sampleCandles } from "../worker/runtime/index";
import { runProcess } from "./run-process";
import { bwrapCommand } from "../worker/runtime/sandbox-command";

const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const SMA = readFileSync(
  fileURLToPath(new URL("../python/examples/sma_crossover.py", import.meta.url)),
  "utf8",
);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export default async function bench(args: string[]): Promise<void> {
  const runs = Math.max(50, Number(args[0] ?? 100));
  const runner = createStrategyRunner({ python: PYTHON, maxConcurrent: 1 });

  // The floor: the same sandbox starting `python -I -S -c pass`, nothing else.
  const floorCmd = bwrapCommand(
    "/usr/bin/bwrap",
    { python: PYTHON, packageRoot: fileURLToPath(new URL("../python", import.meta.url)) },
    16 << 20,
    "bench",
    "lean",
    [PYTHON, "-I", "-S", "-c", "pass"],
  );
  const floor: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const outcome = await runProcess(floorCmd, { input: "", timeoutMs: 5000, maxStdoutBytes: 1024 });
    if (i >= 5) floor.push(outcome.ms);
  }
  floor.sort((a, b) => a - b);

  const candles = sampleCandles(500);
  const live: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const started = performance.now();
    const result = await runner.runLive({ code: SMA, candles });
    if (!result.ok) throw new Error(`live run failed: ${JSON.stringify(result.error)}`);
    if (i >= 5) live.push(performance.now() - started);
  }
  live.sort((a, b) => a - b);
  console.log(
    `live (SMA crossover, 500 candles, ${runs} runs): p50 ${round(percentile(live, 50))} ms, p99 ${round(percentile(live, 99))} ms`,
  );
  console.log(
    `floor (bwrap + python -I -S -c pass):     p50 ${round(percentile(floor, 50))} ms, p99 ${round(percentile(floor, 99))} ms`,
  );

  const history = sampleCandles(100_000);
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
    const ms = times.sort((a, b) => a - b)[1];
    const label = perBar ? "per-bar" : "vectorised";
    throughput[label] = history.length / (ms / 1000);
    console.log(
      `backtest ${label} (100,000 candles): ${round(ms, 0)} ms end to end, ${Math.round(throughput[label]).toLocaleString("en")} candles/s`,
    );
  }

  console.log(
    JSON.stringify({
      bench: "runtime",
      live_p50_ms: round(percentile(live, 50)),
      live_p99_ms: round(percentile(live, 99)),
      floor_p50_ms: round(percentile(floor, 50)),
      backtest_candles_per_s: Math.round(throughput.vectorised),
      backtest_per_bar_candles_per_s: Math.round(throughput["per-bar"]),
    }),
  );
}
