// The web app on Deno (server/deno.ts + the REMIX_TARGET=deno build) against a real sqld, Redis and Postgres:
// health, the marketplace, a strategy page, sign-up, a signed-in page, a bus event reaching its SSE stream, and
// a body over its limit (the app's own cap, the same as on Node).
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { openStore, type Store } from "../../db/store/client";
import { createInfra, deleteKeysByPrefix, type Infra } from "../../db/infra/index.server";
import { migrateStore } from "../../db/store/migrate";
import { seedExamples } from "../../scripts/seed";
import { ROOT } from "../../scripts/build-if-needed";
import { createStrategyRunner } from "../../worker/runtime";
import { codeFromOutbox } from "../support/mail-outbox";
import { freePort, spawnChild, startSqld, tempDir, type Child, type RunningSqld } from "./sqld";

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
// The binary itself, not node_modules/.bin/deno (a Node wrapper that would outlive a signal sent to it).
// The npm package's postinstall (skipped: .npmrc ignore-scripts) links the platform binary into place;
// its own install API does the same on demand and returns the binary's path. Spawning the binary itself
// (not the node_modules/.bin wrapper) lets a signal reach the Deno server.
const DENO = (
  createRequire(import.meta.url)("deno/install_api.cjs") as { runInstall(): string }
).runInstall();
const tag = randomBytes(4).toString("hex");
const PGBOSS_SCHEMA = `pgboss_deno_${tag}`;
const REDIS_KEY_PREFIX = `candlecast-deno-${tag}:`;

const ENCRYPTION_KEY = randomBytes(32).toString("base64");

/** The Deno web entry's environment against this store, on this port. */
function denoEnv(databaseUrl: string, port: number, logLevel = "warn"): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    POSTGRES_URL,
    PGBOSS_SCHEMA,
    REDIS_URL,
    REDIS_KEY_PREFIX,
    SESSION_SECRET: "deno-test-session-secret-0123456789abcdef",
    ENCRYPTION_KEY,
    DATA_DIR: dataDir.path,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: logLevel,
    NO_COLOR: "1",
  };
}

let sqld: RunningSqld;
let store: Store;
let infra: Infra;
let deno: Child;
let url: string;
let dataDir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  sqld = await startSqld();
  store = await openStore({ url: sqld.url });
  await migrateStore(store.db);
  await seedExamples(store.db, createStrategyRunner({ python: "/usr/bin/python3", sandbox: "bwrap" }));

  const build = spawnSync(join(ROOT, "node_modules", ".bin", "remix"), ["build"], {
    cwd: ROOT,
    env: { ...process.env, REMIX_TARGET: "deno", NODE_ENV: "production" },
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`remix build for Deno failed:\n${build.stdout}\n${build.stderr}`);
  // Its own assets directory: the Node build's public/build is left alone.
  expect(existsSync(join(ROOT, "build", "deno", "index.js"))).toBe(true);
  expect(existsSync(join(ROOT, "build", "deno", "public", "build"))).toBe(true);

  infra = await createInfra({ redisUrl: REDIS_URL, keyPrefix: REDIS_KEY_PREFIX });
  dataDir = tempDir("candlecast-deno-");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  deno = await spawnChild({
    name: "deno web",
    command: DENO,
    args: ["run", "-A", "server/deno.ts"],
    env: denoEnv(sqld.url, port),
    readyUrl: `${url}/healthz`,
  });
}, 180_000);

afterAll(async () => {
  await deno?.stop();
  store?.close();
  await sqld?.stop();
  dataDir?.remove();
  await infra?.close();
  const redis = new Redis(REDIS_URL);
  await deleteKeysByPrefix(redis, REDIS_KEY_PREFIX);
  redis.disconnect();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${PGBOSS_SCHEMA}" CASCADE`);
  await client.end();
}, 60_000);

it("reports the sqld store and the Redis bus on /healthz", async () => {
  const response = await fetch(`${url}/healthz`);
  expect(response.status).toBe(200);
  const report = (await response.json()) as {
    ok: boolean;
    store: { detail: string };
    bus: { detail: string };
  };
  expect(report.ok).toBe(true);
  expect(report.store.detail).toContain(sqld.url);
  expect(report.bus.detail).toMatch(/^redis ping/);
});

it("lists the seeded strategies, renders a strategy page and serves the Deno build's assets", async () => {
  const home = await fetch(`${url}/`);
  expect(home.status).toBe(200);
  const html = await home.text();
  for (const slug of ["sma-crossover", "macd-trend", "rsi-mean-reversion", "bollinger-breakout"]) {
    expect(html).toContain(`/strategies/${slug}`);
  }
  // The Deno entry's CSP nonce is the one Remix's inline scripts carry (ADR 160).
  const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(
    home.headers.get("content-security-policy") ?? "",
  )?.[1];
  expect(nonce).toBeTruthy();
  for (const [opening] of html.matchAll(/<script\b[^>]*>/g)) expect(opening).toContain(`nonce="${nonce}"`);
  const strategy = await fetch(`${url}/strategies/sma-crossover`);
  expect(strategy.status).toBe(200);
  expect(await strategy.text()).toMatch(/<h1[^>]*>SMA Crossover/);

  const script = html.match(/\/build\/entry\.client-[A-Z0-9]+\.js/)?.[0];
  expect(script).toBeTruthy();
  const asset = await fetch(`${url}${script}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get("content-type")).toMatch(/javascript/);
  expect(asset.headers.get("cache-control")).toContain("immutable");
  expect((await fetch(`${url}/build/../../package.json`)).status).toBe(404);
});

it("signs up (same-origin POST, the code from the log outbox), renders a signed-in page, and streams a bus event to the user's SSE", async () => {
  const email = `deno-${tag}@example.test`;
  const form = new URLSearchParams({
    email,
    name: "Dena",
    password: "a good long password",
    redirectTo: "/subscriptions",
  });
  const crossSite = await fetch(`${url}/signup`, {
    method: "POST",
    body: form,
    headers: { Origin: "http://evil.example" },
    redirect: "manual",
  });
  // Refused before our action runs (Remix's own origin check answers it, as on Node): no session, no user.
  expect(crossSite.status).toBeGreaterThanOrEqual(400);
  expect(crossSite.headers.getSetCookie()).toEqual([]);

  expect(
    (await store.client.execute({ sql: "SELECT count(*) AS n FROM users WHERE email = ?", args: [email] }))
      .rows[0].n,
  ).toBe(0);

  const signup = await fetch(`${url}/signup`, {
    method: "POST",
    body: form,
    headers: { Origin: url },
    redirect: "manual",
  });
  expect(signup.status).toBe(200);
  expect(await signup.text()).toContain("Check your email");
  const pending = signup.headers.getSetCookie()[0].split(";")[0];
  expect(pending).toMatch(/^__signup=/);
  // The Deno entry mails to the log: the code is in the data directory's outbox.
  const verify = await fetch(`${url}/signup/verify`, {
    method: "POST",
    body: new URLSearchParams({
      code: await codeFromOutbox(dataDir.path, email),
      redirectTo: "/subscriptions",
    }),
    headers: { Origin: url, Cookie: pending },
    redirect: "manual",
  });
  expect(verify.status).toBe(302);
  expect(verify.headers.get("location")).toBe("/subscriptions");
  const cookie = verify.headers
    .getSetCookie()
    .find((c) => c.startsWith("__session="))!
    .split(";")[0];
  expect(cookie).toBeTruthy();

  const page = await fetch(`${url}/subscriptions`, { headers: { Cookie: cookie } });
  expect(page.status).toBe(200);
  const body = await page.text();
  expect(body).toContain("Log out");
  expect(body).toContain("Dena");
  // Without the cookie the same page sends the visitor to the login.
  const anonymous = await fetch(`${url}/subscriptions`, { redirect: "manual" });
  expect(anonymous.status).toBe(302);
  expect(anonymous.headers.get("location")).toMatch(/^\/login/);

  const user = await store.client.execute({ sql: "SELECT id FROM users WHERE email = ?", args: [email] });
  const userId = String(user.rows[0].id);
  const controller = new AbortController();
  const stream = await fetch(`${url}/events`, { headers: { Cookie: cookie }, signal: controller.signal });
  expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = "";
  while (!received.includes(": connected")) received += (await reader.read()).value ?? "";
  // Committed to the outbox, then announced, as a worker does (the hub delivers what the outbox holds).
  const sentAt = Date.now();
  const payload = { from: "deno-test" };
  const row = await store.client.execute({
    sql: "INSERT INTO events (user_id, type, payload, created_at) VALUES (?, ?, ?, ?) RETURNING seq",
    args: [userId, "subscription.changed", JSON.stringify(payload), sentAt],
  });
  const seq = Number(row.rows[0].seq);
  await infra.bus.publish(CHANNELS.outbox, {
    events: [{ seq, userId, type: "subscription.changed", payload, createdAt: sentAt }],
  });
  while (!received.includes(`id: ${seq}`)) {
    const { value, done } = await reader.read();
    if (done) break;
    received += value;
  }
  expect(received).toContain(`id: ${seq}\nevent: subscription.changed\n`);
  expect(received).toContain('"from":"deno-test"');
  console.info(`[deno] bus → SSE on Deno: ${Date.now() - sentAt} ms`);
  controller.abort();
});

it("answers a form over its limit with a 413 page, and the keep-alive connection serves the next request", async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
    new Promise<{ status: number; text: string; reused: boolean; connection?: string }>((resolve, reject) => {
      const req = httpRequest({ agent, hostname, port, method, path, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            text,
            reused: req.reusedSocket,
            connection: res.headers.connection,
          }),
        );
      });
      req.on("error", reject);
      req.end(body);
    });
  try {
    await send("GET", "/healthz", {});
    const body = Buffer.from(`email=a%40b.c&password=${"x".repeat(200 * 1024)}`);
    const refused = await send(
      "POST",
      "/login",
      {
        Origin: url,
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": String(body.length),
      },
      body,
    );
    expect(refused.status).toBe(413);
    expect(refused.text).toContain("The form is too large: it must be at most 64 KiB.");
    // Deno (hyper) does not drain an unread body: it says Connection: close and closes after the answer.
    expect(refused.connection).toBe("close");
    expect(await send("GET", "/healthz", {})).toMatchObject({ status: 200, reused: false });
  } finally {
    agent.destroy();
  }
});

it("started before its store is up, waits with a log line and serves once sqld answers", async () => {
  const sqldPort = await freePort();
  const port = await freePort();
  let output = "";
  let later: RunningSqld | undefined;
  const starting = spawnChild({
    name: "deno web, store not up yet",
    command: DENO,
    args: ["run", "-A", "server/deno.ts"],
    env: denoEnv(`http://127.0.0.1:${sqldPort}`, port, "info"),
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    readyTimeoutMs: 120_000,
    onOutput: (chunk) => (output += chunk),
  });
  starting.catch(() => {}); // awaited below; a failure before then is reported there
  try {
    await vi.waitFor(
      () => {
        if ((output.match(/waiting for the store \(DATABASE_URL\)/g) ?? []).length < 2)
          throw new Error(`no second "waiting for the store" line yet:\n${output}`);
      },
      { timeout: 90_000, interval: 200 },
    );
    expect(output).toMatch(/ECONNREFUSED|fetch failed|connect/);
    later = await startSqld({ port: sqldPort });
    await starting;
    expect(output).toContain("the store (DATABASE_URL) is reachable");
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { store: { detail: string } }).store.detail).toContain(later.url);
  } finally {
    await (await starting.catch(() => undefined))?.stop();
    await later?.stop();
  }
}, 240_000);
