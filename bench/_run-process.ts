// Runs one cold process to completion: the runtime bench's start-up floor (the worker only runs warm sandboxes).
import { spawn } from "node:child_process";
import type { ProcessOutcome } from "../worker/runtime/process-outcome";
import type { RunnerCommand } from "../worker/runtime/sandbox-command";

interface ProcessOptions {
  input: string;
  timeoutMs: number;
  maxStdoutBytes: number;
}

const STDERR_TAIL_BYTES = 16 * 1024;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    // detached: true made the child a process-group leader; the negative pid reaches everything in that group.
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export function runProcess(cmd: RunnerCommand, opts: ProcessOptions): Promise<ProcessOutcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, {
      stdio: ["pipe", "pipe", "pipe"],
      // Empty on purpose: nothing of the worker's environment (secrets included) reaches the runner.
      env: {} as NodeJS.ProcessEnv,
      detached: true,
    });
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let timedOut = false;
    let answerTooLarge = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, opts.timeoutMs);

    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > opts.maxStdoutBytes) {
        if (!answerTooLarge) killGroup(child.pid);
        answerTooLarge = true;
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    // The runner may exit (or be killed) before reading all its input; that is reported by the exit status, not here.
    child.stdin.on("error", () => {});
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      // Anything the runner left behind in its group (it should be nothing) goes too.
      killGroup(child.pid);
      resolve({
        stdout: Buffer.concat(chunks),
        stderr,
        exitCode,
        signal,
        timedOut,
        answerTooLarge,
        ms: performance.now() - started,
      });
    });
    child.stdin.end(opts.input);
  });
}
