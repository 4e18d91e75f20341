// Health tells the truth about the store: `npm run web` and `npm run worker` on a real sqld answer /healthz 503
// with the write probe's reason while sqld is stopped (SIGSTOP: reads of a socket no one serves hang, as in a
// wedge), and 200 again after SIGCONT.
import { freePort, spawnChild, startSqld, tempDir, tsxArgs, type Child, type RunningSqld } from "./sqld";

let sqld: RunningSqld;
let dataDir: ReturnType<typeof tempDir>;
let web: { child: Child; url: string };
let worker: { child: Child; url: string };

beforeAll(async () => {
  sqld = await startSqld();
  dataDir = tempDir("candlecast-stall-");
  const env = {
    DATABASE_URL: sqld.url,
    DATA_DIR: dataDir.path,
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    SESSION_SECRET: "store-stall-test-session-secret-0123456789",
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
    // Longer than the probe's own 2 s bound: health answers before any store call gives up.
    STORE_TIMEOUT_MS: "8000",
  };
  const workerPort = await freePort();
  worker = {
    url: `http://127.0.0.1:${workerPort}/healthz`,
    child: await spawnChild({
      name: "worker",
      command: process.execPath,
      args: tsxArgs("worker/main.ts"),
      env: { ...env, WORKER_PORT: String(workerPort) },
      readyUrl: `http://127.0.0.1:${workerPort}/healthz`,
    }),
  };
  const webPort = await freePort();
  web = {
    url: `http://127.0.0.1:${webPort}/healthz`,
    child: await spawnChild({
      name: "web",
      command: process.execPath,
      args: tsxArgs("scripts/start.ts", "--web"),
      env: { ...env, PORT: String(webPort) },
      readyUrl: `http://127.0.0.1:${webPort}/healthz`,
    }),
  };
}, 120_000);

afterAll(async () => {
  process.kill(sqld.child.pid, "SIGCONT");
  await Promise.all([web?.child.stop(), worker?.child.stop()]);
  await sqld?.stop();
  dataDir?.remove();
});

async function health(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

it("web and worker /healthz go false with the write probe's reason on a stalled sqld, and true after", async () => {
  for (const url of [web.url, worker.url]) {
    const before = await health(url);
    expect(before.status).toBe(200);
    expect(before.body).toMatch(/writable \(write probe \d+ ms\)/);
  }

  process.kill(sqld.child.pid, "SIGSTOP");
  const started = Date.now();
  const [webStalled, workerStalled] = await Promise.all([health(web.url), health(worker.url)]);
  const answeredWithinMs = Date.now() - started;
  process.kill(sqld.child.pid, "SIGCONT");

  expect(webStalled.status).toBe(503);
  expect(JSON.parse(webStalled.body)).toMatchObject({
    ok: false,
    store: {
      ok: false,
      detail: expect.stringMatching(/write probe failed: the store did not answer within 2000 ms/),
    },
  });
  expect(workerStalled.status).toBe(503);
  expect(JSON.parse(workerStalled.body)).toMatchObject({
    ok: false,
    detail: expect.stringMatching(/write probe failed: the store did not answer within 2000 ms/),
  });
  // The probe's bound, not the store's, decides how long a load balancer waits.
  expect(answeredWithinMs).toBeLessThan(5_000);

  await vi.waitFor(
    async () => {
      expect((await health(web.url)).status).toBe(200);
      expect((await health(worker.url)).status).toBe(200);
    },
    { timeout: 15_000, interval: 200 },
  );
});
