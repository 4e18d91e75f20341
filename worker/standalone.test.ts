// `npm run worker` as an operator runs it: JSON logs on stdout, /healthz and /metrics on its port, a graceful SIGTERM.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

it("serves health and metrics, logs JSON, and stops gracefully on SIGTERM", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-standalone-"));
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      DATA_DIR: dataDir,
      WORKER_PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      POSTGRES_URL: "",
      REDIS_URL: "",
      DATABASE_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  try {
    await vi.waitFor(
      () => {
        if (!lines.some((l) => l.msg === "worker health and metrics listening"))
          throw new Error(`worker did not start:\n${stderr}`);
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(lines.find((l) => l.msg === "worker started")).toMatchObject({
      service: "worker",
      queue: "pglite",
      bus: "memory",
    });

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/# TYPE candlecast_executions_total counter/);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["shutting down", "worker stopping: no new jobs", "worker stopped"]),
    );
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);

it("stops at start, naming MARKET_DATA, when ccxt has no such exchange", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-standalone-"));
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      DATA_DIR: dataDir,
      WORKER_PORT: String(await freePort()),
      MARKET_DATA: "exchange:nosuchexchange",
      POSTGRES_URL: "",
      REDIS_URL: "",
      DATABASE_URL: "",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  try {
    expect(await new Promise((r) => child.on("exit", r))).toBe(1);
    expect(stderr).toMatch(/MARKET_DATA: ccxt has no exchange "nosuchexchange"/);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);
