// SQLITE_BUSY from a real sqld (many writers while another connection holds the write lock past sqld's 5 s steal):
// every write batch is retried until it runs, none is doubled, and other errors are thrown at once.
import { createClient } from "@libsql/client";
import pino from "pino";
import { startSqld, type RunningSqld } from "../../test/e2e/sqld";
import { isBusy, retryWhileBusy } from "./busy-retry";
import { openStore, type Store } from "./client";
import { writeBatch } from "./write-batch";

const WRITERS = 32;
let sqld: RunningSqld;
let store: Store;
const logged: { msg: string; retry?: number }[] = [];

beforeAll(async () => {
  sqld = await startSqld();
  const logger = pino({ level: "debug" }, { write: (line: string) => logged.push(JSON.parse(line)) });
  store = await openStore({ url: sqld.url, timeoutMs: 30_000, logger });
  await store.client.batch(
    [
      "CREATE TABLE busy_rows (writer INTEGER NOT NULL, n INTEGER NOT NULL, UNIQUE (writer, n))",
      "CREATE TABLE busy_counter (id INTEGER PRIMARY KEY, total INTEGER NOT NULL)",
      "INSERT INTO busy_counter VALUES (1, 0)",
      "CREATE TABLE held (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
      "INSERT INTO held VALUES (1, 0)",
    ],
    "write",
  );
});
afterAll(async () => {
  store?.close();
  await sqld?.stop();
});

const busyRetries = () =>
  logged.filter((l) => l.msg === "store busy (SQLITE_BUSY): retrying the batch").length;

it("retries the write batches sqld answers SQLITE_BUSY until they run, and doubles none", async () => {
  let running = true;
  let written = 0;
  const failures: string[] = [];
  const writers = Array.from({ length: WRITERS }, async (_, w) => {
    for (let n = 0; running; n++) {
      try {
        await writeBatch(store.db, [
          { sql: "INSERT INTO busy_rows (writer, n) VALUES (?, ?)", args: [w, n] },
          "UPDATE busy_counter SET total = total + 1 WHERE id = 1",
        ]);
        written++;
      } catch (error) {
        failures.push(`${(error as { code?: string }).code}: ${(error as Error).message}`);
      }
    }
  });
  // Another connection takes the write lock and goes quiet: sqld steals it after 5 s, and in the scramble that
  // follows some writers are answered SQLITE_BUSY. Again until that has happened for real.
  const holder = createClient({ url: sqld.url });
  try {
    await vi.waitFor(
      async () => {
        const tx = await holder.transaction("write");
        await tx.execute("UPDATE held SET n = n + 1 WHERE id = 1");
        await new Promise((r) => setTimeout(r, 6_000));
        await tx.commit().catch(() => {}); // sqld has expired it (TRANSACTION_TIMEOUT / STREAM_EXPIRED)
        tx.close();
        if (busyRetries() + failures.length === 0) throw new Error("no writer has met SQLITE_BUSY yet");
      },
      { timeout: 120_000, interval: 0 },
    );
  } finally {
    running = false;
    await Promise.all(writers);
    holder.close();
  }
  const rows = await store.client.execute("SELECT count(*) AS n FROM busy_rows");
  const counter = await store.client.execute("SELECT total FROM busy_counter WHERE id = 1");
  expect(failures).toEqual([]);
  expect(busyRetries()).toBeGreaterThan(0);
  expect(Number(rows.rows[0].n)).toBe(written);
  expect(Number(counter.rows[0].total)).toBe(written);
}, 180_000);

it("throws any other failure at once, with nothing of the batch written", async () => {
  const before = busyRetries();
  const error = await writeBatch(store.db, [
    { sql: "INSERT INTO busy_rows (writer, n) VALUES (?, ?)", args: [1_000, 1] },
    { sql: "INSERT INTO busy_rows (writer, n) VALUES (?, ?)", args: [1_000, 1] },
  ]).catch((e: unknown) => e);
  expect((error as { code?: string }).code).toMatch(/^SQLITE_CONSTRAINT/);
  expect(busyRetries()).toBe(before);
  const rows = await store.client.execute("SELECT count(*) AS n FROM busy_rows WHERE writer = 1000");
  expect(Number(rows.rows[0].n)).toBe(0);
});

it("gives up within its budget, throwing the last SQLITE_BUSY", async () => {
  const busy = Object.assign(new Error("SQLITE_BUSY: database is locked"), { code: "SQLITE_BUSY" });
  let attempts = 0;
  const started = Date.now();
  const error = await retryWhileBusy(async () => {
    attempts++;
    throw busy;
  }, 1_000).catch((e: unknown) => e);
  expect(error).toBe(busy);
  expect(isBusy(error)).toBe(true);
  expect(attempts).toBeGreaterThan(2);
  expect(Date.now() - started).toBeLessThan(1_000 + 1_000);
});
