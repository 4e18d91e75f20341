// Reproduces the sqld write stalls of issue 16 (ADR 157): several writers on one sqld while a client holds an
// interactive write transaction and then stops sending (paused) or dies (kill -9), and the same with write
// batches only. Prints, per scenario, the longest time any writer waited and what the holder's late commit got.
// The writers go through the store's own client (bounded, SQLITE_BUSY retried: ADR 158) unless --no-busy-retry.
//   npx tsx scripts/sqld-wedge.ts [--writers 4] [--hold-s 30] [--soak-s 20] [--no-busy-retry] [-- <extra sqld flags>]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { isBusy } from "../db/store/busy-retry";
import { withCallTimeouts } from "../db/store/call-timeout";
import { ROOT } from "./build-if-needed";

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const WRITERS = flag("writers", 4);
const HOLD_S = flag("hold-s", 30);
const SOAK_S = flag("soak-s", 20);
/** No write for this long while writers are busy: the store is wedged, not slow. */
const WEDGED_AFTER_MS = 15_000;
const ours = process.argv.includes("--") ? process.argv.slice(0, process.argv.indexOf("--")) : process.argv;
const extra = process.argv.includes("--") ? process.argv.slice(process.argv.indexOf("--") + 1) : [];
const RETRY_BUSY = !ours.includes("--no-busy-retry");
/** The bound each writer's call gets, as STORE_TIMEOUT_MS's default. */
const CALL_BOUND_MS = 10_000;

/** Writers each doing one small write at a time, as fast as they can; the longest wait is what matters. */
function startWriters(url: string) {
  let running = true;
  let lastWrite = Date.now();
  let longestMs = 0;
  let writes = 0;
  let failures = 0;
  let busyFailures = 0;
  let busyRetries = 0;
  let firstFailure: string | undefined;
  const loops = Array.from({ length: WRITERS }, async (_, w) => {
    const raw = createClient({ url });
    const client = RETRY_BUSY ? withCallTimeouts(raw, CALL_BOUND_MS, undefined, () => busyRetries++) : raw;
    while (running) {
      const started = Date.now();
      try {
        await client.batch(
          [
            { sql: "INSERT INTO rows (writer, at, pad) VALUES (?, ?, randomblob(512))", args: [w, started] },
            { sql: "UPDATE counters SET n = n + 1 WHERE id = ?", args: [w % 4] },
          ],
          "write",
        );
        writes++;
        lastWrite = Date.now();
      } catch (error) {
        failures++;
        if (isBusy(error)) busyFailures++;
        firstFailure ??= (error as Error).message;
      }
      longestMs = Math.max(longestMs, Date.now() - started);
    }
    raw.close();
  });
  return {
    wedged: () => Date.now() - lastWrite > WEDGED_AFTER_MS,
    async stop() {
      running = false;
      await Promise.all(loops);
      return { writes, failures, busyFailures, busyRetries, firstFailure, longestWaitMs: longestMs };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A holder in this process: begins a write transaction, writes once, then sends nothing for HOLD_S (paused). */
async function pausedHolder(url: string) {
  const client = createClient({ url });
  const tx = await client.transaction("write");
  await tx.execute("UPDATE counters SET n = n + 1 WHERE id = 0");
  await sleep(HOLD_S * 1000);
  const commit = await tx.commit().then(
    () => "committed",
    (e: Error) => `refused: ${e.message}`,
  );
  client.close();
  return commit;
}

/** A child process running `body` (an ES module using @libsql/client on URL), once it has printed its first line. */
async function childClient(url: string, body: string) {
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { createClient } from "@libsql/client";
       const url = ${JSON.stringify(url)};
       ${body}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  return child;
}

/** A holder in a child process that begins a write transaction, writes once and is then killed -9. */
async function killedHolder(url: string) {
  const child = await childClient(
    url,
    `const tx = await createClient({ url }).transaction("write");
     await tx.execute("UPDATE counters SET n = n + 1 WHERE id = 1");
     process.stdout.write("holding\\n");
     setInterval(() => {}, 1000);`,
  );
  child.kill("SIGKILL");
  await sleep(HOLD_S * 1000);
  return "killed while holding";
}

/** Only write batches, while one more client is paused mid-stream (SIGSTOP of a child doing batches). */
async function pausedBatchWriter(url: string) {
  const child = await childClient(
    url,
    `const c = createClient({ url });
     process.stdout.write("writing\\n");
     for (;;) await c.batch(["UPDATE counters SET n = n + 1 WHERE id = 2", "INSERT INTO rows (writer, at, pad) VALUES (99, 0, randomblob(512))"], "write");`,
  );
  await sleep(200);
  child.kill("SIGSTOP");
  await sleep(HOLD_S * 1000);
  child.kill("SIGKILL");
  return "paused while writing batches";
}

async function scenario(name: string, url: string, holder: (url: string) => Promise<string>) {
  const writers = startWriters(url);
  await sleep(1000);
  const holderResult = await holder(url);
  await sleep(2000);
  return { scenario: name, holder: holderResult, ...(await writers.stop()) };
}

/** Writers only, until SOAK_S or until no write has succeeded for WEDGED_AFTER_MS (then: the WAL's size). */
async function soak(url: string, walFile: string) {
  const writers = startWriters(url);
  const until = Date.now() + SOAK_S * 1000;
  while (Date.now() < until && !writers.wedged()) await sleep(500);
  const wedged = writers.wedged()
    ? { wedged: true, walFrames: Math.round((statSync(walFile).size - 32) / 4120) }
    : {};
  const stats = await Promise.race([writers.stop(), sleep(2_000).then(() => ({ writersStuck: true }))]);
  return { scenario: `soak ${SOAK_S} s (WAL grows, auto-checkpoints)`, ...wedged, ...stats };
}

/** sqld on a port picked from the pid, its data in a fresh directory; resolves once it answers /health. */
async function startSqld() {
  const dir = mkdtempSync(join(tmpdir(), "sqld-wedge-"));
  const url = `http://127.0.0.1:${20_000 + (process.pid % 20_000)}`;
  const child = spawn(
    join(ROOT, "node_modules", ".bin", "sqld"),
    ["--db-path", join(dir, "data.sqld"), "--http-listen-addr", new URL(url).host, "--no-welcome", ...extra],
    { cwd: dir, stdio: "ignore" },
  );
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i === 100 || child.exitCode !== null) throw new Error(`sqld did not start on ${url}`);
    await sleep(100);
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    url,
    walFile: join(dir, "data.sqld", "dbs", "default", "data-wal"),
    async stop() {
      child.kill("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const sqld = await startSqld();
  const url = sqld.url;
  const setup: Client = createClient({ url });
  await setup.batch([
    "CREATE TABLE rows (id INTEGER PRIMARY KEY, writer INTEGER, at INTEGER, pad BLOB)",
    "CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
    "INSERT INTO counters VALUES (0, 0), (1, 0), (2, 0), (3, 0)",
  ]);
  setup.close();
  try {
    process.stdout.write(
      `${JSON.stringify({ sqldFlags: extra, writers: WRITERS, holdS: HOLD_S, busyRetry: RETRY_BUSY })}\n`,
    );
    const print = (r: object) => process.stdout.write(`${JSON.stringify(r)}\n`);
    print(await scenario("interactive transaction, holder paused", url, pausedHolder));
    print(await scenario("interactive transaction, holder killed -9", url, killedHolder));
    print(await scenario("write batches only, one writer paused (SIGSTOP)", url, pausedBatchWriter));
    print(await soak(url, sqld.walFile));
  } finally {
    await sqld.stop();
  }
}

await main();
