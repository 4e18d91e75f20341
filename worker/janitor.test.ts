// The janitor's sweep against a real store: stuck RUNNING rows become FAILED, expired login sessions and
// idempotency keys are deleted.
import pino from "pino";
import { eq } from "drizzle-orm";
import { newId } from "../db/platform/ids";
import { claimExecution } from "../db/store/queries/executions";
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

it("finishes RUNNING executions past the limit as FAILED stuck", async () => {
  const author = await insertUser(store, "author");
  const strategy = await insertStrategy(store, author.id);
  const id = newId();
  const claim = {
    id,
    strategyId: strategy.id,
    versionId: null,
    symbol: "BTC/USDT",
    resolution: "1m" as const,
    closeTime: 1_700_000_060_000,
    workerId: "w",
    startedAt: NOW - 120_000,
  };
  expect(await claimExecution(store.db, claim)).toBeTruthy();

  expect(await janitorAt(NOW)()).toEqual([id]);

  const [row] = await store.db.select().from(executions).where(eq(executions.id, id));
  expect(row).toMatchObject({ status: "FAILED", errorKind: "stuck" });
});
