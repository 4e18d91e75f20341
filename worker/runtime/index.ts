// The strategy runtime's public surface for the worker: the sandboxed execution client and its result types.
import { createStrategyRunner, type ManifestResult, type StrategyRunner } from "./strategy-runner";

export {
  createStrategyRunner,
  SandboxUnavailableError,
  exitIfSandboxUnavailable,
  type BacktestInput,
  type BacktestResult,
  type LiveResult,
  type ManifestResult,
  type RunInput,
  type RunLimits,
  type SandboxEvent,
  type RuntimeError,
  type StrategyManifest,
  type StrategyRunner,
  type StrategyRunnerOptions,
} from "./strategy-runner";
export { DEFAULT_LIMITS } from "./limits";
export { sampleCandles } from "./sample-candles";

/**
 * A strategy's declared metadata (module docstring, name, resolution, lookback, symbols, tags, parameters), read
 * with Python's `ast` in the sandbox: the code is parsed, never run. Pass the worker's runner; without one a
 * default sandboxed runner is made for this call.
 */
export function readStrategyManifest(
  code: string,
  runner: StrategyRunner = createStrategyRunner(),
): Promise<ManifestResult> {
  return runner.readManifest(code);
}
