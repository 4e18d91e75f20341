// Bench: the marketplace with 10,000 strategies (TTFB p50, wrk requests/s) and one event to 1,000 SSE clients.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { openStore } from "../db/store/client";
import { OUTBOX_CHANNEL } from "../db/contracts/events";
import { DEFAULT_KEY_PREFIX } from "../db/infra/index.server";
import { migrateStore } from "../db/store/migrate";
import { createUser } from "../db/store/queries/users";
import { buildIfNeeded } from "../scripts/build-if-needed";
import { startApp, type RunningApp } from "../test/e2e/harness";
import { seedMarketplace } from "./_market-seed";
import { percentile, printResult, round } from "./_stats";

const STRATEGIES = 10_000;
const TTFB_REQUESTS = 300;
const SSE_CLIENTS = 1_000;
const SSE_EVENTS = 20;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const USER = { email: "bench-sse@candlecast.dev", name: "Bench", password: "bench-password-123" };

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

function runWrk(url: string, headers: string[] = []) {
  const out = spawnSync(
    "wrk",
    ["-t2", "-c32", "-d10s", "--latency", ...headers.flatMap((h) => ["-H", h]), url],
    {
      encoding: "utf8",
    },
  );
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out.stdout)?.[1] ?? 0);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(out.stdout);
  const toMs = (m: RegExpExecArray | null) =>
    m ? Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1) : NaN;
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk output:\n${out.stdout}`);
  return { rps, latencyP50Ms: toMs(p50), non2xx };
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

/** A raw HTTP/1.1 connection reading /events; `seen(seq)` resolves when that event id has arrived. */
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

async function measureSse(app: RunningApp, userId: string) {
  const cookie = await logIn(app);
  const port = Number(new URL(app.url).port);
  const clients: { socket: Socket; arrivals: Map<number, number> }[] = [];
  for (let i = 0; i < SSE_CLIENTS; i += 50) {
    clients.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, SSE_CLIENTS - i) }, () => openSseClient(port, cookie)),
      )),
    );
  }
  const publisher = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await publisher.connect();
  const lastClientMs: number[] = [];
  const allClientMs: number[] = [];
  try {
    for (let i = 0; i < SSE_EVENTS; i++) {
      const seq = 1_000_000_000 + i;
      const event = { seq, userId, type: "execution", payload: { bench: i }, createdAt: Date.now() };
      const sent = performance.now();
      await publisher.publish(DEFAULT_KEY_PREFIX + OUTBOX_CHANNEL, JSON.stringify({ events: [event] }));
      const deadline = sent + 5_000;
      while (clients.some((c) => !c.arrivals.has(seq)) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
      }
      const missing = clients.filter((c) => !c.arrivals.has(seq)).length;
      if (missing)
        throw new Error(`${missing} of ${SSE_CLIENTS} SSE clients did not get event ${seq} within 5 s`);
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

/**
 * Measures what `npm start` serves: a production build under NODE_ENV=production. The test runs
 * build in development mode (jsxDEV), which a production React cannot even render.
 */

export default async function webBench(_args: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-bench-web-"));
  let app: RunningApp | undefined;
  try {
    const store = await openStore({ url: `file:${join(dataDir, "candlecast.db")}` });
    await migrateStore(store.db);
    const seedStarted = performance.now();
    await seedMarketplace(store.db, { count: STRATEGIES, withTrades: 50 });
    const user = await createUser(store.db, USER);
    store.close();
    console.log(
      `seeded ${STRATEGIES} strategies (50 with closed trades) in ${round(performance.now() - seedStarted, 0)} ms`,
    );

    // Web only (no worker: nothing else competes for the 2 cores), events through Redis like a distributed replica.
    buildIfNeeded((msg) => console.log(msg));
    app = await startApp({ DATA_DIR: dataDir, REDIS_URL, NODE_ENV: "production" }, ["--web"]);
    if ((await fetch(`${app.url}/`)).status !== 200) throw new Error("the marketplace does not answer 200");
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
    const ttfb: Record<string, { p50: number; p99: number }> = {};
    for (const [name, url] of Object.entries(pages)) {
      ttfb[name] = await measureTtfb(url, TTFB_REQUESTS);
      console.log(`TTFB ${name.padEnd(12)} p50 ${round(ttfb[name].p50)} ms  p99 ${round(ttfb[name].p99)} ms`);
    }
    const wrk = runWrk(pages.marketplace);
    console.log(
      `wrk -t2 -c32 -d10s /: ${round(wrk.rps, 0)} req/s, latency p50 ${round(wrk.latencyP50Ms, 2)} ms, non-2xx ${wrk.non2xx}`,
    );
    const wrkFiltered = runWrk(pages.filtered);
    console.log(
      `wrk -t2 -c32 -d10s filtered: ${round(wrkFiltered.rps, 0)} req/s, latency p50 ${round(wrkFiltered.latencyP50Ms, 2)} ms`,
    );

    // A cookie bypasses the one-second anonymous page cache: every request renders (what signed-in users get).
    const render = await measureTtfb(pages.marketplace, TTFB_REQUESTS, { cookie: "bench=render" });
    console.log(
      `TTFB marketplace, rendered every time  p50 ${round(render.p50)} ms  p99 ${round(render.p99)} ms`,
    );
    const wrkRender = runWrk(pages.marketplace, ["Cookie: bench=render"]);
    console.log(`wrk -t2 -c32 -d10s /, rendered every time: ${round(wrkRender.rps, 0)} req/s`);

    const sse = await measureSse(app, user.id);
    console.log(
      `SSE ${SSE_CLIENTS} clients, ${SSE_EVENTS} events: last client p50 ${round(sse.lastClientP50)} ms, p99 ${round(sse.lastClientP99)} ms; any client p50 ${round(sse.anyClientP50)} ms`,
    );

    printResult({
      bench: "web",
      ttfb_p50_ms: round(ttfb.marketplace.p50),
      rps: round(wrk.rps, 0),
      sse_1000_p99_ms: round(sse.lastClientP99),
      sse_1000_p50_ms: round(sse.lastClientP50),
      ttfb_filtered_p50_ms: round(ttfb.filtered.p50),
      ttfb_search_p50_ms: round(ttfb.search.p50),
      rps_filtered: round(wrkFiltered.rps, 0),
      ttfb_render_p50_ms: round(render.p50),
      rps_render: round(wrkRender.rps, 0),
      strategies: STRATEGIES,
    });
  } catch (error) {
    if (app) console.log(`app output:\n${app.output().slice(-4000)}`);
    throw error;
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
