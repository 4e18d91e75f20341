// `npm run data` as its own process (node --import tsx, one process, so SIGKILL stops the CLI itself).
import { spawn, type ChildProcess } from "node:child_process";

export interface DataCliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface DataCliProcess {
  child: ChildProcess;
  done: Promise<DataCliResult>;
}

/** Runs the CLI with `env` on top of this process's environment minus the market-data settings (a key set to undefined is removed). */
export function startDataCli(args: string[], env: Record<string, string | undefined>): DataCliProcess {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    NODE_OPTIONS: "",
    MARKET_DATA: undefined,
    MARKET_DATA_URL: undefined,
    ...env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/data/cli.ts", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<DataCliResult>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export const runDataCli = (args: string[], env: Record<string, string | undefined>) =>
  startDataCli(args, env).done;
