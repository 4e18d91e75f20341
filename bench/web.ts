// Bench: the marketplace with 10,000 strategies (TTFB p50, autocannon requests/s) and one event to 1,000 SSE clients,
// each against a bare server with the same markup.
// The floor is bench/_bare-server.ts, a process of its own like the app: node:http answering every GET with the
// bytes the app rendered, and /events writing each bus message to every stream. Same machine, same load generator,
// same bytes on the wire, so the ratio is what routing, sessions, loaders, rendering and the event hub add.
// Flags: --strategies 10000 --seconds 10 (each load run) --sse-clients 1000
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { openStore, type Db } from "../db/store/client";
import { DEFAULT_KEY_PREFIX } from "../db/infra/index.server";
import { migrateStore } from "../db/store/migrate";
import { toOutboxEvent } from "../db/store/queries/event-replay";
import { createUser } from "../db/store/queries/users";
import { events } from "../db/store/schema";
import { buildIfNeeded } from "../scripts/build-if-needed";
import { startApp, type RunningApp } from "../test/e2e/harness";
import { REDIS_URL } from "../test/support/worker/processes";
import { numberFlag, QUICK } from "./_args";
import { seedMarketplace } from "./_market-seed";
import type { Need } from "./_needs";
import { againstFloor, percentile, printResult, round } from "./_stats";

export const needs: Need[] = ["redis"];

const USER = { email: "bench-sse@candlecast.dev", name: "Bench", password: "bench-password-123" };
const CONNECTIONS = 32;
/** A cookie bypasses the one-second anonymous page cache: every request renders (what signed-in users get). */
const RENDER = { cookie: "bench=render" };

/** Milliseconds from sending a GET to the first byte of the response head, over a kept-alive connection. */
function timeToFirstByte(url: string, agent: Agent, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(url, { agent, headers }, (res) => {
      const ttfb = performance.now() - started;
      if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
      res.resume();
      res.on("end", () => resolve(ttfb));
    });
    req.on("error", reject);
    req.end();
  });
}

async function measureTtfb(url: string, n: number, headers: Record<string, string> = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 20; i++) await timeToFirstByte(url, agent, headers);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await timeToFirstByte(url, agent, headers));
  agent.destroy();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** `CONNECTIONS` kept-alive connections for `seconds`; any error or non-2xx answer fails the bench. */
async function load(url: string, seconds: number, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers under load`);
  return { rps: result.requests.average, latencyP50Ms: result.latency.p50 };
}

async function logIn(app: RunningApp): Promise<string> {
  const res = await fetch(`${app.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: app.url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: USER.email, password: USER.password, redirectTo: "/" }),
  });
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`log in failed: ${res.status}`);
  return cookie;
}

/** A raw HTTP/1.1 connection reading /events; `arrivals` maps each event id to when it arrived. */
function openSseClient(port: number, cookie: string) {
  return new Promise<{ socket: Socket; arrivals: Map<number, number> }>((resolve, reject) => {
    const arrivals = new Map<number, number>();
    const socket = connect(port, "127.0.0.1");
    let buffer = "";
    let connected = false;
    socket.setEncoding("utf8");
    socket.on("connect", () =>
      socket.write(
        `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCookie: ${cookie}\r\n\r\n`,
      ),
    );
    socket.on("data", (chunk: string) => {
      const now = performance.now();
      buffer += chunk;
      if (!connected) {
        if (!buffer.startsWith("HTTP/1.1 200"))
          return reject(new Error(`/events answered ${buffer.slice(0, 40)}`));
        if (buffer.includes(": connected")) {
          connected = true;
          resolve({ socket, arrivals });
        }
      }
      for (const m of buffer.matchAll(/^id: (\d+)$/gm))
        if (!arrivals.has(Number(m[1]))) arrivals.set(Number(m[1]), now);
      buffer = buffer.slice(Math.max(0, buffer.lastIndexOf("\n\n")));
    });
    socket.on("error", reject);
  });
}

interface SseTarget {
  port: number;
  cookie: string;
  channel: string;
}

/**
 * Commits `count` outbox events for the user, one at a time, and publishes each on `channel` as a worker does; times
 * each from before its commit until the last of `clients` streams has it.
 */
async function measureSse(db: Db, userId: string, target: SseTarget, clientCount: number, count: number) {
  const clients: { socket: Socket; arrivals: Map<number, number> }[] = [];
  for (let i = 0; i < clientCount; i += 50) {
    clients.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, clientCount - i) }, () =>
          openSseClient(target.port, target.cookie),
        ),
      )),
    );
  }
  const publisher = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await publisher.connect();
  const lastClientMs: number[] = [];
  const allClientMs: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const sent = performance.now();
      const [row] = await db
        .insert(events)
        .values({ userId, type: "execution", payload: JSON.stringify({ bench: i }), createdAt: Date.now() })
        .returning();
      const seq = row.seq;
      await publisher.publish(target.channel, JSON.stringify({ events: [toOutboxEvent(row)] }));
      const deadline = sent + 5_000;
      while (clients.some((c) => !c.arrivals.has(seq)) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
      }
      const missing = clients.filter((c) => !c.arrivals.has(seq)).length;
      if (missing)
        throw new Error(`${missing} of ${clientCount} SSE clients did not get event ${seq} within 5 s`);
      const times = clients.map((c) => c.arrivals.get(seq)! - sent);
      lastClientMs.push(Math.max(...times));
      allClientMs.push(...times);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    publisher.disconnect();
    for (const c of clients) c.socket.destroy();
  }
  return {
    lastClientP50: percentile(lastClientMs, 50),
    lastClientP99: percentile(lastClientMs, 99),
    anyClientP50: percentile(allClientMs, 50),
  };
}

/** Starts bench/_bare-server.ts serving `markup`; resolves once it prints its port. */
function startBareServer(markupFile: string, contentType: string, channel: string) {
  const entry = fileURLToPath(new URL("./_bare-server.ts", import.meta.url));
  const spec = JSON.stringify({ bodyFile: markupFile, contentType, redisUrl: REDIS_URL, channel });
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", entry, spec], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise<{ port: number; url: string; stop: () => void }>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = /^\{.*\}$/m.exec(out)?.[0];
      if (!line) return;
      const { port } = JSON.parse(line) as { port: number };
      resolve({ port, url: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`the bare server exited (${code}) before listening`)));
  });
}

/**
 * Measures what `npm start` serves: a production build under NODE_ENV=production. The test runs
 * build in development mode (jsxDEV), which a production React cannot even render.
 */
export default async function webBench(args: string[]) {
  const strategies = numberFlag(args, "strategies", 10_000, 300);
  const seconds = numberFlag(args, "seconds", 10, 1);
  const sseClients = numberFlag(args, "sse-clients", 1_000, 50);
  const ttfbRequests = QUICK ? 30 : 300;
  const sseEvents = QUICK ? 3 : 20;
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-bench-web-"));
  const store = await openStore({ url: `file:${join(dataDir, "candlecast.db")}` });
  let app: RunningApp | undefined;
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  try {
    await migrateStore(store.db);
    const seedStarted = performance.now();
    const withTrades = Math.min(50, strategies);
    await seedMarketplace(store.db, { count: strategies, withTrades });
    const user = await createUser(store.db, USER);
    console.log(
      `seeded ${strategies} strategies (${withTrades} with closed trades) in ${round(performance.now() - seedStarted, 0)} ms`,
    );

    // Web only (no worker: nothing else competes for the 2 cores), events through Redis like a distributed replica.
    buildIfNeeded((msg) => console.log(msg));
    // One bench user holds every SSE client: lift the per-user stream cap (ADR 161) to their number.
    const env = { DATA_DIR: dataDir, REDIS_URL, NODE_ENV: "production" };
    app = await startApp({ ...env, MAX_EVENT_STREAMS_PER_USER: String(sseClients) }, ["--web"]);
    const page = await fetch(`${app.url}/`, { headers: RENDER });
    if (page.status !== 200) throw new Error("the marketplace does not answer 200");
    const markup = join(dataDir, "marketplace.html");
    writeFileSync(markup, Buffer.from(await page.arrayBuffer()));
    const bareChannel = `${DEFAULT_KEY_PREFIX}bench-bare:${process.pid}`;
    bare = await startBareServer(markup, page.headers.get("content-type") ?? "text/html", bareChannel);
    console.log(
      `load average before measuring: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} (${cpus().length} cores)`,
    );

    const pages = {
      marketplace: `${app.url}/`,
      filtered: `${app.url}/?symbol=ETH%2FUSDT&resolution=1h&sort=return`,
      search: `${app.url}/?q=keltner&page=2`,
    };
    const bareTtfb = await measureTtfb(`${bare.url}/`, ttfbRequests);
    const ttfb: Record<string, { p50: number; p99: number }> = {};
    for (const [name, url] of Object.entries(pages)) {
      ttfb[name] = await measureTtfb(url, ttfbRequests);
      console.log(`TTFB ${name.padEnd(12)} p50 ${round(ttfb[name].p50)} ms  p99 ${round(ttfb[name].p99)} ms`);
    }
    const render = await measureTtfb(pages.marketplace, ttfbRequests, RENDER);
    const ttfbCached = againstFloor("TTFB marketplace (anonymous) p50", ttfb.marketplace.p50, bareTtfb.p50, {
      unit: "ms",
      floorIs: "bare server, same markup",
    });
    const ttfbRender = againstFloor("TTFB marketplace rendered every time p50", render.p50, bareTtfb.p50, {
      unit: "ms",
      floorIs: "bare server, same markup",
    });

    const loadLabel = `autocannon -c${CONNECTIONS} -d${seconds}`;
    const bareLoad = await load(`${bare.url}/`, seconds);
    const anonymous = await load(pages.marketplace, seconds);
    const filtered = await load(pages.filtered, seconds);
    const rendered = await load(pages.marketplace, seconds, RENDER);
    console.log(
      `${loadLabel} filtered: ${round(filtered.rps, 0)} req/s, latency p50 ${filtered.latencyP50Ms} ms`,
    );
    const rpsCached = againstFloor(`${loadLabel} / (anonymous)`, anonymous.rps, bareLoad.rps, {
      unit: "req/s",
      floorIs: "bare server, same markup",
      rate: true,
    });
    const rpsRender = againstFloor(`${loadLabel} / rendered every time`, rendered.rps, bareLoad.rps, {
      unit: "req/s",
      floorIs: "bare server, same markup",
      rate: true,
    });

    const sse = await measureSse(
      store.db,
      user.id,
      {
        port: Number(new URL(app.url).port),
        cookie: await logIn(app),
        channel: DEFAULT_KEY_PREFIX + CHANNELS.outbox,
      },
      sseClients,
      sseEvents,
    );
    const bareSse = await measureSse(
      store.db,
      user.id,
      { port: bare.port, cookie: "", channel: bareChannel },
      sseClients,
      sseEvents,
    );
    console.log(
      `SSE ${sseClients} clients, ${sseEvents} events: last client p50 ${round(sse.lastClientP50)} ms; any client p50 ${round(sse.anyClientP50)} ms`,
    );
    const sseLast = againstFloor(
      `SSE to ${sseClients} clients, last one p99`,
      sse.lastClientP99,
      bareSse.lastClientP99,
      {
        unit: "ms",
        floorIs: "bare server writing each bus message to every stream",
      },
    );

    // The headline is the rendering path: the anonymous page cache hides it from visitors, not from signed-in users.
    printResult("web", rpsRender, {
      strategies,
      rps_render: round(rendered.rps, 0),
      rps: round(anonymous.rps, 0),
      rps_ratio: round(rpsCached.ratio),
      rps_filtered: round(filtered.rps, 0),
      ttfb_p50_ms: round(ttfbCached.figure),
      ttfb_ratio: round(ttfbCached.ratio),
      ttfb_render_p50_ms: round(ttfbRender.figure),
      ttfb_render_ratio: round(ttfbRender.ratio),
      ttfb_filtered_p50_ms: round(ttfb.filtered.p50),
      ttfb_search_p50_ms: round(ttfb.search.p50),
      sse_p99_ms: round(sseLast.figure),
      sse_p50_ms: round(sse.lastClientP50),
      sse_ratio: round(sseLast.ratio),
      sse_clients: sseClients,
    });
  } catch (error) {
    if (app) console.log(`app output:\n${app.output().slice(-4000)}`);
    throw error;
  } finally {
    bare?.stop();
    await app?.stop();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
