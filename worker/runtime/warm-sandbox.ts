// One warm sandbox: a started runner (python/candlecast_host/supervisor.py) that answers runs one at a time, each in a
// fresh forked child. Length-prefixed frames on stdin/stdout; a wall-clock backstop kills the whole sandbox.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { constants } from "node:os";
import type { ProcessOutcome } from "./process-outcome";
import type { RunnerCommand } from "./sandbox-command";

/** Per-run limits the supervisor applies to the forked child (the body is never read by the supervisor). */
export interface RunControl {
  timeoutMs: number;
  cpuSeconds: number;
  memoryBytes: number;
  fileBytes: number;
  processes: number;
  openFiles: number;
  maxAnswerBytes: number;
}

interface ReplyMeta {
  exitCode: number | null;
  signal: number | null;
  timedOut: boolean;
  answerTooLarge: boolean;
  strays: number;
  clean: boolean;
}

export interface SandboxOutcome extends ProcessOutcome {
  /** False when the run ended abnormally or left a process or file behind: the sandbox must not be reused. */
  reusable: boolean;
  /** The sandbox itself ended while the run was pending (it failed to start, or its supervisor was killed). */
  sandboxLost: boolean;
}

const HEADER_BYTES = 8;
const STDERR_TAIL_BYTES = 16 * 1024;
/** How long past a run's own limit the supervisor may take to answer before the worker kills the sandbox. */
const BACKSTOP_GRACE_MS = 2_000;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

interface Pending {
  resolve(outcome: SandboxOutcome): void;
  started: number;
  timer: NodeJS.Timeout;
  maxAnswerBytes: number;
}

export class WarmSandbox {
  private readonly child: ChildProcessWithoutNullStreams;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of the reply being read (header, meta, answer), once its header is in. */
  private expected: number | null = null;
  private stderr = "";
  private pending: Pending | null = null;
  private exited = false;
  private readonly closed: Promise<void>;
  /** Runs answered so far. */
  runs = 0;

  constructor(cmd: RunnerCommand, uid?: number) {
    this.child = spawn(cmd.command, cmd.args, {
      stdio: ["pipe", "pipe", "pipe"],
      // Nothing of the worker's environment (secrets included) reaches the runner. One BLAS thread: the
      // supervisor imports numpy and then forks, which threads would not survive (bwrap sets the same inside).
      env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" } as unknown as NodeJS.ProcessEnv,
      // Its own process group, so the backstop kill reaches everything in the sandbox.
      detached: true,
      ...(uid !== undefined ? { uid, gid: uid } : {}),
    });
    // An idle sandbox must not keep the worker's process alive; a pending run's backstop timer does that.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr])
      (stream as unknown as { unref?: () => void }).unref?.();
    this.child.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    this.child.stdin.on("error", () => {});
    this.closed = new Promise((resolve) => {
      this.child.on("error", (err) => {
        this.stderr += `\n${err.message}`;
      });
      this.child.on("close", (exitCode, signal) => {
        this.exited = true;
        this.settle(
          { exitCode, signal, timedOut: false, answerTooLarge: false, stdout: Buffer.alloc(0) },
          false,
          true,
        );
        resolve();
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  run(control: RunControl, body: string): Promise<SandboxOutcome> {
    if (this.pending) throw new Error("a warm sandbox runs one strategy at a time");
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle({
          exitCode: null,
          signal: "SIGKILL",
          timedOut: true,
          answerTooLarge: false,
          stdout: Buffer.alloc(0),
        });
        void this.kill();
      }, control.timeoutMs + BACKSTOP_GRACE_MS);
      this.pending = { resolve, started: performance.now(), timer, maxAnswerBytes: control.maxAnswerBytes };
      if (this.exited) {
        this.settle(
          { exitCode: null, signal: null, timedOut: false, answerTooLarge: false, stdout: Buffer.alloc(0) },
          false,
          true,
        );
        return;
      }
      const controlBytes = Buffer.from(JSON.stringify(control));
      const bodyBytes = Buffer.from(body);
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt32BE(controlBytes.length, 0);
      header.writeUInt32BE(bodyBytes.length, 4);
      this.child.stdin.write(Buffer.concat([header, controlBytes, bodyBytes]));
    });
  }

  /** Kill the whole sandbox (its process group) and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    if (this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    // The child and its pipes are unref'd: without a handle of our own a caller awaiting this could see the
    // process exit (status 13, unsettled top-level await) before the sandbox is gone.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      await this.closed;
    } finally {
      clearInterval(keepAlive);
    }
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.expected === null) {
      if (this.buffered < HEADER_BYTES) return;
      const head = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.chunks = [head];
      const answerLength = head.readUInt32BE(4);
      if (this.pending && answerLength > this.pending.maxAnswerBytes) {
        this.settle({
          exitCode: null,
          signal: null,
          timedOut: false,
          answerTooLarge: true,
          stdout: Buffer.alloc(0),
        });
        void this.kill();
        return;
      }
      this.expected = HEADER_BYTES + head.readUInt32BE(0) + answerLength;
    }
    // A large answer arrives in many chunks: join them once, when all are here.
    if (this.buffered < this.expected) return;
    if (this.buffered > this.expected || !this.pending) {
      // Bytes nobody asked for: the protocol is broken, so this sandbox is done.
      this.stderr += "\nthe runner answered out of turn";
      void this.kill();
      return;
    }
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const metaLength = data.readUInt32BE(0);
    this.chunks = [];
    this.buffered = 0;
    this.expected = null;
    const meta = JSON.parse(data.toString("utf8", HEADER_BYTES, HEADER_BYTES + metaLength)) as ReplyMeta;
    this.runs += 1;
    this.settle(
      {
        exitCode: meta.exitCode,
        signal: meta.signal === null ? null : (SIGNAL_NAMES.get(meta.signal) ?? "SIGKILL"),
        timedOut: meta.timedOut,
        answerTooLarge: meta.answerTooLarge,
        stdout: data.subarray(HEADER_BYTES + metaLength),
      },
      meta.clean,
    );
  }

  private settle(
    outcome: Omit<ProcessOutcome, "stderr" | "ms">,
    reusable = false,
    sandboxLost = false,
  ): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    const stderr = this.stderr;
    this.stderr = "";
    pending.resolve({
      ...outcome,
      stderr,
      ms: performance.now() - pending.started,
      reusable: reusable && !this.exited,
      sandboxLost,
    });
  }
}
