// A stalled libSQL server (sqld under SIGSTOP): every store call ends with a typed StoreTimeoutError after its
// bound, logged with what was waiting; the write probe says so; a write that timed out and committed late is
// fenced, never doubled. Real sqld, real pino.
import pino from "pino";
import { newId } from "../platform/ids";
import { startSqld, type RunningSqld } from "../../test/e2e/sqld";
import { insertStrategy, insertSubscriptions, insertUser } from "../../test/support/store";
import { StoreTimeoutError } from "./call-timeout";
import { openStore, type Store } from "./client";
import { probeStoreWrite } from "./health-probe";
import { migrateStore } from "./migrate";
import { findExecution, recordExecution } from "./queries/executions";
import { claimExecution } from "./queries/leases";

const BOUND_MS = 400;
let sqld: RunningSqld;
let store: Store;
const logged: { msg: string; waiting?: string; timeoutMs?: number }[] = [];

beforeAll(async () => {
  sqld = await startSqld();
  const logger = pino({ level: "warn" }, { write: (line: string) => logged.push(JSON.parse(line)) });
  store = await openStore({ url: sqld.url, timeoutMs: BOUND_MS, logger });
  await migrateStore(store.db);
});
afterAll(async () => {
  store.close();
  await sqld.stop();
});

/** Runs `during` with sqld stopped, and always lets it go on afterwards. */
async function whileStalled<T>(during: () => Promise<T>): Promise<T> {
  process.kill(sqld.child.pid, "SIGSTOP");
  try {
    return await during();
  } finally {
    process.kill(sqld.child.pid, "SIGCONT");
  }
}

const causeOf = (error: unknown): unknown =>
  error instanceof Error && error.cause !== undefined ? causeOf(error.cause) : error;

it("gives a StoreTimeoutError after the bound, logged with what was waiting, and works again after", async () => {
  logged.length = 0;
  const { error, ms } = await whileStalled(async () => {
    const started = Date.now();
    const e = await store.db.all("SELECT count(*) AS n FROM executions").catch((x: unknown) => x);
    return { error: e, ms: Date.now() - started };
  });
  const cause = causeOf(error);
  expect(cause).toBeInstanceOf(StoreTimeoutError);
  expect((cause as StoreTimeoutError).waiting).toBe("execute: SELECT count(*) AS n FROM executions");
  expect(ms).toBeGreaterThanOrEqual(BOUND_MS - 5);
  expect(ms).toBeLessThan(BOUND_MS + 1_500);
  expect(logged).toContainEqual(
    expect.objectContaining({
      msg: "store call timed out",
      waiting: "execute: SELECT count(*) AS n FROM executions",
      timeoutMs: BOUND_MS,
    }),
  );
  expect(await store.db.all("SELECT 1 AS one")).toEqual([{ one: 1 }]);
});

it("reports the write probe not ok with the reason on a stall, and ok again after", async () => {
  const stalled = await whileStalled(() =>
    probeStoreWrite(store, { part: "web", databaseUrl: sqld.url, timeoutMs: 300 }),
  );
  expect(stalled.ok).toBe(false);
  expect(stalled.detail).toMatch(
    /^libSQL server http:\/\/127\.0\.0\.1:\d+: write probe failed: .*within 300 ms/,
  );
  const healthy = await probeStoreWrite(store, { part: "web", databaseUrl: sqld.url });
  expect(healthy).toMatchObject({
    ok: true,
    detail: expect.stringMatching(/writable \(write probe \d+ ms\)/),
  });
});

it("a recordExecution that timed out and committed late is fenced: the retry writes nothing twice", async () => {
  const author = await insertUser(store, "author");
  const strategy = await insertStrategy(store, author.id);
  const subs = await insertSubscriptions(store, strategy.id, 3);
  const key = { strategyId: strategy.id, symbol: "BTC/USDT", resolution: "1m", closeTime: 1_700_000_060_000 };
  const id = newId();
  expect(
    await claimExecution(store.db, {
      ...key,
      id,
      versionId: null,
      startedAt: 1,
      workerId: "w",
      leaseMs: 60_000,
    }),
  ).toBeTruthy();
  const input = {
    execution: {
      ...key,
      id,
      versionId: null,
      status: "COMPLETED" as const,
      subscriberCount: 3,
      startedAt: 1,
      finishedAt: 2,
    },
    trades: subs.map((s) => ({
      id: newId(),
      subscriptionId: s.id,
      userId: s.userId,
      symbol: "BTC/USDT",
      status: "skipped" as const,
      reason: "test",
    })),
    events: subs.map((s) => ({ userId: s.userId, type: "execution" as const, payload: {} })),
  };

  const timedOut = await whileStalled(() => recordExecution(store.db, input).catch((e: unknown) => e));
  expect(causeOf(timedOut)).toBeInstanceOf(StoreTimeoutError);
  // The batch was on the wire: after SIGCONT it commits, all of it, and the caller's retry is refused.
  await vi.waitFor(async () => expect((await findExecution(store.db, key))?.status).toBe("COMPLETED"));
  expect(await recordExecution(store.db, input)).toEqual({
    status: "already_recorded",
    executionId: id,
    existingStatus: "COMPLETED",
  });
  const [counts] = await store.db.all<{ trades: number; events: number }>(
    `SELECT (SELECT count(*) FROM trades WHERE execution_id = '${id}') AS trades,
            (SELECT count(*) FROM events WHERE user_id = '${subs[0].userId}') AS events`,
  );
  expect(counts).toEqual({ trades: 3, events: 1 });
});
