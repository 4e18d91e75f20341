// Browser-test harness: the real embedded app in a child process (own data dir and port) and Debian's Chromium.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "../../scripts/build-if-needed";
import { waitUntilServing } from "../support/wait-until-serving";

export const SCREENSHOT_DIR = join(ROOT, "test-results", "screenshots");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export interface RunningApp {
  url: string;
  dataDir: string;
  databaseUrl: string;
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; the exit code (null when killed). */
  stop(): Promise<number | null>;
}

/** Starts `scripts/start.ts` (embedded: web + worker) on a free port with a fresh data directory. */
export async function startApp(env: Record<string, string> = {}, args: string[] = []): Promise<RunningApp> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-e2e-"));
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts/start.ts"), ...args],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(`${url}/healthz`, {
      exited: () => child.exitCode !== null,
      // Migrating and seeding (a sandboxed validation per example) take ~50 s on a loaded 2-core machine.
      timeoutMs: 150_000,
      what: "the app",
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message} (exit code ${child.exitCode}):\n${output}`);
  }
  return {
    url,
    dataDir,
    databaseUrl: `file:${join(dataDir, "candlecast.db")}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Saves a full-page screenshot under test-results/screenshots/NAME.png (look at them). */
export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
