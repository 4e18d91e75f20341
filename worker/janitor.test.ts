// The janitor's sweep against a real store: RUNNING rows whose lease lapsed long ago become FAILED, expired login
// sessions and idempotency keys are deleted; on a stalled sqld a sweep fails after the store's bound instead of hanging.
import pino from "pino";
import { eq } from "drizzle-orm";
import { newId } from "../db/platform/ids";
import { StoreTimeoutError } from "../db/store/call-timeout";
import { openStore, type Store } from "../db/store/client";
import { migrateStore } from "../db/store/migrate";
import { startSqld, type RunningSqld } from "../test/e2e/sqld";
import { claimExecution } from "../db/store/queries/leases";
import { createSession, getSessionUser } from "../db/store/queries/sessions";
import { claimIdempotencyKey, IDEMPOTENCY_TTL_MS } from "../db/store/queries/idempotency";
import { executions, idempotencyKeys, sessions } from "../db/store/schema";
import { createTestStore, insertStrategy, insertUser, type TestStore } from "../test/support/store";
import { createJanitor } from "./janitor";
import { createWorkerMetrics } from "./metrics";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.cleanup());

const NOW = 1_800_000_000_000;
const janitorAt = (now: number) =>
  createJanitor({
    db: store.db,
    stuckAfterMs: 60_000,
    logger: pino({ level: "silent" }),
    metrics: createWorkerMetrics(),
    now: () => now,
  });

/** A RUNNING row claimed two minutes before NOW, its lease lapsed as long, by a worker that never finished it. */
async function claimStuck(on: Store, strategyId: string): Promise<string> {
  const id = newId();
  const claim = {
    id,
    strategyId,
    versionId: null,
    symbol: "BTC/USDT",
    resolution: "1m" as const,
    closeTime: 1_700_000_060_000,
    workerId: "w",
    startedAt: NOW - 120_000,
    leaseMs: -120_000,
  };
  expect(await claimExecution(on.db, claim)).toBeTruthy();
  return id;
}

it("deletes expired login sessions and keeps the live ones", async () => {
  const user = await insertUser(store, "sessions");
  const expired = await createSession(store.db, user.id, NOW - 31 * 24 * 3600_000);
  const live = await createSession(store.db, user.id, NOW);

  await janitorAt(NOW)();

  expect(await store.db.select().from(sessions).where(eq(sessions.id, expired.id))).toEqual([]);
  expect(await getSessionUser(store.db, live.id, NOW)).toMatchObject({ id: user.id });
});

it("deletes idempotency keys older than 24 h and keeps the younger ones", async () => {
  const user = await insertUser(store, "idempotency");
  await claimIdempotencyKey(store.db, user.id, "old", "f", NOW - IDEMPOTENCY_TTL_MS - 1);
  await claimIdempotencyKey(store.db, user.id, "young", "f", NOW - IDEMPOTENCY_TTL_MS + 60_000);

  await janitorAt(NOW)();

  const left = await store.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, user.id));
  expect(left.map((k) => k.key)).toEqual(["young"]);
});

it("finishes RUNNING executions whose lease lapsed past the limit as FAILED stuck", async () => {
  const author = await insertUser(store, "author");
  const strategy = await insertStrategy(store, author.id);
  const id = await claimStuck(store, strategy.id);

  expect(await janitorAt(NOW)()).toEqual([id]);

  const [row] = await store.db.select().from(executions).where(eq(executions.id, id));
  expect(row).toMatchObject({ status: "FAILED", errorKind: "stuck" });
});

describe("on a stalled store (sqld under SIGSTOP)", () => {
  const BOUND_MS = 300;
  let sqld: RunningSqld;
  let remote: Store;
  beforeAll(async () => {
    sqld = await startSqld();
    remote = await openStore({ url: sqld.url, timeoutMs: BOUND_MS });
    await migrateStore(remote.db);
  });
  afterAll(async () => {
    remote.close();
    await sqld.stop();
  });

  it("a sweep fails with a StoreTimeoutError after the bound instead of hanging; the next one finishes the row", async () => {
    const author = await insertUser(remote, "author");
    const strategy = await insertStrategy(remote, author.id);
    const id = await claimStuck(remote, strategy.id);
    const sweep = createJanitor({
      db: remote.db,
      stuckAfterMs: 60_000,
      logger: pino({ level: "silent" }),
      metrics: createWorkerMetrics(),
      now: () => NOW,
    });

    process.kill(sqld.child.pid, "SIGSTOP");
    let failure: unknown;
    const started = Date.now();
    try {
      failure = await sweep().catch((e: unknown) => e);
    } finally {
      process.kill(sqld.child.pid, "SIGCONT");
    }
    expect(Date.now() - started).toBeLessThan(BOUND_MS + 1_500);
    expect((failure as Error).cause ?? failure).toBeInstanceOf(StoreTimeoutError);

    // The stalled UPDATE may have committed once sqld resumed; either way the next sweep leaves the row FAILED.
    await sweep();
    const [row] = await remote.db.select().from(executions).where(eq(executions.id, id));
    expect(row).toMatchObject({ status: "FAILED", errorKind: "stuck" });
  });
});
