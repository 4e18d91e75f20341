// The execution client the worker uses: runs a strategy once (live) or over a history (backtest) in the sandboxed runner.
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, realpathSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import type { Candle, Signal } from "../../db/contracts/domain";
import {
  backtestAnswerSchema,
  expandSignals,
  failure,
  liveAnswerSchema,
  manifestAnswerSchema,
  parseAnswer,
  type Failure,
  type StrategyManifest,
} from "./answer";
import { toCandleColumns } from "./candle-columns";
import { ANONYMOUS_SHARE, SlotPool, type Share } from "./concurrency";
import { DEFAULT_LIMITS, cpuSecondsFor, type RunLimits } from "./limits";
import {
  bareCommand,
  bwrapCommand,
  PYTHON_PACKAGES,
  type Preload,
  type RunnerCommand,
} from "./sandbox-command";
import { packagesReachableBySandbox, unreachableBindProblem } from "./sandbox-reach";
import { WarmSandbox, type RunControl } from "./warm-sandbox";

export type { RuntimeError, StrategyManifest } from "./answer";
export type { Share } from "./concurrency";
export type { RunLimits } from "./limits";

/** Whose run this is (the slot pool is fair between authors, ADR 175), and the worker's say once it holds a slot. */
export interface RunShare extends Share {
  /** Asked once the run holds its slot, just before it starts: a Failure is the result and the run never starts. */
  admit?: () => Promise<Failure | null>;
  /** Told the run's sandbox time while it still holds its slot, so the next run's admit already counts it. */
  spent?: (ms: number) => Promise<void>;
}

export interface RunInput {
  code: string;
  params?: Record<string, unknown>;
  candles: Candle[];
}

export interface BacktestInput extends RunInput {
  /** Slide the per-bar hook even when the strategy has a vectorised `on_history` (benchmarks, parity checks). */
  perBar?: boolean;
}

export type LiveResult = { ok: true; signal: Signal; logs: string[]; ms: number } | Failure;
export type BacktestResult = { ok: true; signals: Signal[]; logs: string[]; ms: number } | Failure;
export type ManifestResult = { ok: true; manifest: StrategyManifest } | Failure;

export interface StrategyRunner {
  runLive(input: RunInput, share?: RunShare): Promise<LiveResult>;
  runBacktest(input: BacktestInput): Promise<BacktestResult>;
  /** Reads the strategy's declared metadata with Python's `ast` in the sandbox, without running its code. */
  readManifest(code: string): Promise<ManifestResult>;
  /** Appears on the command line of every process this runner starts (tests use it to prove none outlive it). */
  readonly processTag: string;
  /** Stops the warm sandboxes; runs after this start fresh ones. Idle sandboxes never keep the process alive. */
  close(): Promise<void>;
  /**
   * Starts a sandbox and reads a trivial strategy's manifest in it; throws SandboxUnavailableError with the reason
   * when that fails (user namespaces disabled, a broken interpreter...), so a worker refuses to start instead of
   * failing every execution.
   */
  selfCheck(): Promise<void>;
}

export interface StrategyRunnerOptions {
  /** Absolute path of the interpreter (never a pyenv shim). Default /usr/bin/python3. */
  python?: string;
  /** "bwrap" (default) refuses to start without bubblewrap; "none" is for development only and says so loudly. */
  sandbox?: "bwrap" | "none";
  bwrap?: string;
  maxConcurrent?: number;
  limits?: Partial<RunLimits>;
  logger?: { warn(msg: string): void };
  /**
   * When the worker runs as root, run slot k as uid/gid `sandboxUidBase + k`, so RLIMIT_NPROC (which the kernel
   * does not enforce for root) applies and concurrent runs cannot signal each other. Default 200000; null keeps root.
   */
  sandboxUidBase?: number | null;
  /** The directory holding the Python packages (`candlecast`, `candlecast_host`). Default: this checkout's python/. */
  packageRoot?: string;
  /** A sandbox is replaced by a fresh one after this many runs (and at once after any unclean run). Default 200. */
  runsPerSandbox?: number;
  /** Told of every warm sandbox started, and why one was replaced (the worker counts them for /metrics). */
  onSandbox?: (event: SandboxEvent) => void;
  /** Told how long each run waited for its slot (the worker's metric and its log of delayed runs). */
  onWait?: (share: Share, waitMs: number) => void;
}

export type SandboxEvent =
  | { type: "started"; preload: Preload }
  /** unclean: the run crashed, timed out or left something behind; lost: the sandbox died; worn: runsPerSandbox. */
  | { type: "replaced"; preload: Preload; reason: "unclean" | "lost" | "worn" };

/** Thrown when the runner cannot be made safe (at construction, or by selfCheck); no strategy may run then. */
/** The one line that installs what the sandbox needs on Debian: the README's Quick start prints the same. */
export const SANDBOX_INSTALL_LINE = "sudo apt-get install -y bubblewrap python3 python3-numpy python3-pandas";

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnavailableError";
  }
}

/**
 * Strategies that mention numpy or pandas run in a sandbox that imported them once (a run then costs ~10 ms, not
 * ~250); the others in a lean one that forks faster. Only a routing hint: a miss still runs, just slower.
 */
const USES_SCIENTIFIC = /\b(numpy|pandas|to_pandas)\b/;

const SELF_CHECK_CODE = `from candlecast import Strategy, Signal\n\nclass SelfCheck(Strategy):\n    def on_candle(self, candles, **kwargs):\n        return Signal.hold("ok")\n`;

const PACKAGE_ROOT = fileURLToPath(new URL("../../python", import.meta.url));
const BWRAP_CANDIDATES = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"];

/** For a process's entry point: a sandbox that cannot work ends the process with its reason, not a stack trace. */
export function exitIfSandboxUnavailable(error: unknown): never {
  if (!(error instanceof SandboxUnavailableError)) throw error;
  process.stderr.write(`candlecast: ${error.message}\n`);
  process.exit(1);
}

/** What the runner reads for a live run or a backtest: the code, its parameters and the window as columns. */
function runRequest(mode: "live" | "backtest", input: RunInput) {
  return { mode, code: input.code, params: input.params ?? {}, candles: toCandleColumns(input.candles) };
}

function findBwrap(explicit: string | undefined): string | null {
  for (const path of explicit ? [explicit] : BWRAP_CANDIDATES) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Try the next one.
    }
  }
  return null;
}

function checkedPython(python: string): string {
  if (!isAbsolute(python))
    throw new SandboxUnavailableError(`PYTHON must be an absolute path, got "${python}"`);
  if (!existsSync(python))
    throw new SandboxUnavailableError(
      `PYTHON ${python} does not exist. Install it with: ${SANDBOX_INSTALL_LINE}`,
    );
  return python;
}

/**
 * The sandbox runs as another user (uid 200000+): its interpreter must be reachable, and the Python
 * packages are copied to a readable place when the checkout is not (e.g. a clone under /root, mode 700).
 */
function sandboxReachable(python: string, packageRoot: string) {
  const interpreter = unreachableBindProblem("PYTHON", realpathSync(python));
  if (interpreter) throw new SandboxUnavailableError(interpreter);
  const packages = packagesReachableBySandbox(packageRoot, PYTHON_PACKAGES);
  if ("problem" in packages) throw new SandboxUnavailableError(packages.problem);
  return packages;
}

export function createStrategyRunner(opts: StrategyRunnerOptions = {}): StrategyRunner {
  const python = checkedPython(opts.python ?? "/usr/bin/python3");
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const pool = new SlotPool(opts.maxConcurrent ?? availableParallelism());
  const processTag = `candlecast-run-${randomBytes(6).toString("hex")}`;
  const isRoot = process.getuid?.() === 0;
  const uidBase = opts.sandboxUidBase === undefined ? 200_000 : opts.sandboxUidBase;
  const otherUser = isRoot && uidBase !== null && opts.sandbox !== "none";
  const packages = otherUser
    ? sandboxReachable(python, opts.packageRoot ?? PACKAGE_ROOT)
    : { root: opts.packageRoot ?? PACKAGE_ROOT, dispose: () => {} };
  const layout = { python, packageRoot: packages.root };

  let commandFor: (preload: Preload) => RunnerCommand;
  if (opts.sandbox === "none") {
    opts.logger?.warn(
      'SANDBOX DISABLED (sandbox: "none"): strategies run with this process\'s file system and network access. Development only; never run untrusted code like this.',
    );
    commandFor = (preload) => bareCommand(layout, processTag, preload);
  } else {
    const bwrap = findBwrap(opts.bwrap);
    if (!bwrap) {
      throw new SandboxUnavailableError(
        `bubblewrap (bwrap) was not found; refusing to run strategies unsandboxed. Install it with: ${SANDBOX_INSTALL_LINE} (or SANDBOX=none, for development only).`,
      );
    }
    commandFor = (preload) => bwrapCommand(bwrap, layout, limits.fileBytes, processTag, preload);
  }

  // Per slot, a lean warm sandbox and (once a strategy needs one) a scientific one; a slot runs one at a time.
  const runsPerSandbox = opts.runsPerSandbox ?? 200;
  const sandboxes = new Map<string, WarmSandbox>();
  const start = (slot: number, preload: Preload) => {
    const uid = otherUser ? uidBase + slot : undefined;
    const sandbox = new WarmSandbox(commandFor(preload), uid);
    sandboxes.set(`${slot}:${preload}`, sandbox);
    opts.onSandbox?.({ type: "started", preload });
    return sandbox;
  };

  async function execute<S extends z.ZodType>(
    schema: S,
    request: { code: string; [field: string]: unknown },
    timeoutMs: number,
    share: RunShare = ANONYMOUS_SHARE,
  ): Promise<{ answer: Extract<z.infer<S>, { ok: true }> | Failure; ms: number }> {
    const control: RunControl = {
      timeoutMs,
      cpuSeconds: cpuSecondsFor(timeoutMs),
      memoryBytes: limits.memoryBytes,
      fileBytes: limits.fileBytes,
      processes: limits.processes,
      openFiles: limits.openFiles,
      maxAnswerBytes: limits.maxAnswerBytes,
    };
    const body = JSON.stringify({
      ...request,
      bounds: {
        maxLogLines: limits.maxLogLines,
        maxLogLineChars: limits.maxLogLineChars,
        maxOutputChars: limits.maxOutputChars,
        maxTracebackChars: limits.maxTracebackChars,
      },
    });
    const asked = performance.now();
    return pool.run(share, async (slot) => {
      opts.onWait?.(share, performance.now() - asked);
      const refused = await share.admit?.();
      if (refused) return { answer: refused, ms: 0 };
      const preload: Preload = USES_SCIENTIFIC.test(request.code) ? "scientific" : "lean";
      const current = sandboxes.get(`${slot}:${preload}`);
      const sandbox = current?.alive ? current : start(slot, preload);
      const outcome = await sandbox.run(control, body);
      if (!outcome.reusable || sandbox.runs >= runsPerSandbox) {
        const reason = outcome.sandboxLost ? "lost" : outcome.reusable ? "worn" : "unclean";
        opts.onSandbox?.({ type: "replaced", preload, reason });
        await sandbox.kill();
        start(slot, preload);
      }
      const answer =
        outcome.sandboxLost && !/^bwrap:/m.test(outcome.stderr)
          ? failure(
              "sandbox",
              `the sandbox ended during the run (its supervisor was killed or crashed)${outcome.stderr.trim() ? `: ${outcome.stderr.trim().slice(-500)}` : ""}`,
            )
          : parseAnswer(schema, outcome, { timeoutMs, maxAnswerBytes: limits.maxAnswerBytes });
      await share.spent?.(outcome.ms);
      return { answer, ms: outcome.ms };
    });
  }

  return {
    processTag,

    async selfCheck() {
      const probe = await this.readManifest(SELF_CHECK_CODE);
      if (!probe.ok) {
        throw new SandboxUnavailableError(
          `the strategy sandbox does not work here (${probe.error.kind}): ${probe.error.message}`,
        );
      }
    },

    async close() {
      const all = [...sandboxes.values()];
      sandboxes.clear();
      await Promise.all(all.map((sandbox) => sandbox.kill()));
      packages.dispose();
    },

    async runLive(input, share) {
      const { answer, ms } = await execute(
        liveAnswerSchema,
        runRequest("live", input),
        limits.liveTimeoutMs,
        share,
      );
      if (!answer.ok) return answer;
      return { ok: true, signal: answer.signal, logs: answer.logs, ms };
    },

    async runBacktest(input) {
      const request = { ...runRequest("backtest", input), perBar: input.perBar ?? false };
      const { answer, ms } = await execute(backtestAnswerSchema, request, limits.backtestTimeoutMs);
      if (!answer.ok) return answer;
      const signals = expandSignals(answer.signals, input.candles.length);
      if (!Array.isArray(signals)) return signals;
      return { ok: true, signals, logs: answer.logs, ms };
    },

    async readManifest(code) {
      const { answer } = await execute(
        manifestAnswerSchema,
        { mode: "manifest", code },
        limits.liveTimeoutMs,
      );
      return answer.ok ? { ok: true, manifest: answer.manifest } : answer;
    },
  };
}
