// `npm run bench -- runtime`: live latency of the SMA example through the TypeScript client against a bare warm
// interpreter, the cold start of an empty sandbox, and backtest throughput.
// The floor is bench/_bare_strategy.py: one warm, unsandboxed interpreter that gets the same JSON request over a pipe
// and loads and runs the strategy with the host's own code. That is all a live run must do; what the ratio measures
// is what isolation adds (the sandbox, a fresh fork per run, the guard, the limits, the answer's checks), and both
// sides are the same CPU work, so the ratio holds when the machine gets slower. The cold start of an empty sandbox
// (bwrap + `python -I -S -c pass`) is printed beside it: what every run would cost without warm sandboxes.
// Flags: --runs 100 --history 100000
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createStrategyRunner, sampleCandles } from "../worker/runtime/index";
import { toCandleColumns } from "../worker/runtime/candle-columns";
import { bwrapCommand } from "../worker/runtime/sandbox-command";
import { numberFlag } from "./_args";
import { PYTHON, type Need } from "./_needs";
import { runProcess } from "./_run-process";
import { againstFloor, percentile, printResult, round } from "./_stats";

export const needs: Need[] = ["sandbox"];

const SMA = readFileSync(
  fileURLToPath(new URL("../python/examples/sma_crossover.py", import.meta.url)),
  "utf8",
);
const WARM_UP = 5;
const PACKAGE_ROOT = fileURLToPath(new URL("../python", import.meta.url));

/** The floor's interpreter; `run(request)` writes one request line and resolves with the ms until its answer line. */
function startBareInterpreter() {
  const script = fileURLToPath(new URL("./_bare_strategy.py", import.meta.url));
  const child = spawn(PYTHON, ["-I", "-S", script, PACKAGE_ROOT], { stdio: ["pipe", "pipe", "inherit"] });
  let buffer = "";
  let answered: ((line: string) => void) | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const nl = buffer.indexOf("\n");
    if (nl < 0) return;
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    answered?.(line);
  });
  return {
    run(request: () => string): Promise<number> {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        answered = (line) => {
          if (!(JSON.parse(line) as { ok: boolean }).ok) reject(new Error(`bare run failed: ${line}`));
          resolve(performance.now() - started);
        };
        child.stdin.write(`${request()}\n`);
      });
    },
    close: () => child.kill(),
  };
}

export default async function bench(args: string[]): Promise<void> {
  const runs = numberFlag(args, "runs", 100, 10);
  const historyLength = numberFlag(args, "history", 100_000, 5_000);
  const runner = createStrategyRunner({ python: PYTHON, maxConcurrent: 1 });

  const coldCmd = bwrapCommand(
    "/usr/bin/bwrap",
    { python: PYTHON, packageRoot: PACKAGE_ROOT },
    16 << 20,
    "bench",
    "lean",
    [PYTHON, "-I", "-S", "-c", "pass"],
  );
  const cold: number[] = [];
  for (let i = 0; i < runs + WARM_UP; i++) {
    const outcome = await runProcess(coldCmd, { input: "", timeoutMs: 5000, maxStdoutBytes: 1024 });
    if (i >= WARM_UP) cold.push(outcome.ms);
  }
  console.log(
    `cold start of an empty sandbox (bwrap + python -I -S -c pass): p50 ${round(percentile(cold, 50))} ms`,
  );

  const candles = sampleCandles(500);
  const bare = startBareInterpreter();
  const live: number[] = [];
  const floor: number[] = [];
  // Interleaved, so both see the same load.
  for (let i = 0; i < runs + WARM_UP; i++) {
    const started = performance.now();
    const result = await runner.runLive({ code: SMA, candles });
    if (!result.ok) throw new Error(`live run failed: ${JSON.stringify(result.error)}`);
    const ms = performance.now() - started;
    const bareMs = await bare.run(() => JSON.stringify({ code: SMA, candles: toCandleColumns(candles) }));
    if (i >= WARM_UP) {
      live.push(ms);
      floor.push(bareMs);
    }
  }
  bare.close();
  console.log(`live (SMA crossover, 500 candles, ${runs} runs): p99 ${round(percentile(live, 99))} ms`);
  const liveRun = againstFloor("live run p50", percentile(live, 50), percentile(floor, 50), {
    unit: "ms",
    floorIs: "the same request to a warm bare interpreter, p50",
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
    cold_start_p50_ms: round(percentile(cold, 50)),
    backtest_candles_per_s: Math.round(throughput.vectorised),
    backtest_per_bar_candles_per_s: Math.round(throughput["per-bar"]),
  });
}
