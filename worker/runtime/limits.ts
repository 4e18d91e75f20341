// The bounds every strategy run gets (time, memory, files, processes, output), with defaults for production.
export interface RunLimits {
  /** Wall-clock limit of a live run or validation; the whole process group is killed at this point. */
  liveTimeoutMs: number;
  /** Wall-clock limit of a backtest. */
  backtestTimeoutMs: number;
  /** RLIMIT_AS: address space of the interpreter (numpy/pandas need a few hundred MB). */
  memoryBytes: number;
  /** RLIMIT_FSIZE and the size of the private /tmp. */
  fileBytes: number;
  /** RLIMIT_NPROC, counted per sandbox user. */
  processes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
  /** Log lines kept per run (later ones are counted and dropped). */
  maxLogLines: number;
  maxLogLineChars: number;
  /** Characters a strategy may print in total before the run fails with output_limit. */
  maxOutputChars: number;
  maxTracebackChars: number;
  /** Bytes the runner may answer on stdout before the run fails with output_limit. */
  maxAnswerBytes: number;
}

export const DEFAULT_LIMITS: RunLimits = {
  liveTimeoutMs: 5_000,
  backtestTimeoutMs: 120_000,
  memoryBytes: 1024 * 1024 * 1024,
  fileBytes: 16 * 1024 * 1024,
  processes: 32,
  openFiles: 64,
  maxLogLines: 200,
  maxLogLineChars: 1_000,
  maxOutputChars: 1_000_000,
  maxTracebackChars: 8_000,
  maxAnswerBytes: 64 * 1024 * 1024,
};

/** CPU seconds for a run: the wall-clock limit rounded up, plus one so the wall clock normally fires first. */
export function cpuSecondsFor(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000)) + 1;
}
