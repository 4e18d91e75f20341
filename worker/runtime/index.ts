// The strategy runtime's public surface for the worker: the sandboxed execution client and its result types.
export {
  createStrategyRunner,
  SandboxUnavailableError,
  SANDBOX_INSTALL_LINE,
  exitIfSandboxUnavailable,
  type BacktestInput,
  type BacktestResult,
  type LiveResult,
  type ManifestResult,
  type RunInput,
  type RunLimits,
  type RunShare,
  type Share,
  type SandboxEvent,
  type RuntimeError,
  type StrategyManifest,
  type StrategyRunner,
  type StrategyRunnerOptions,
} from "./strategy-runner";
export { DEFAULT_LIMITS } from "./limits";
export { sampleCandles } from "./sample-candles";
