// Claims as leases on a real store: taken over only once lapsed, renewed while held, and a lapsed holder's commit refused.
import { eq } from "drizzle-orm";
import { newId } from "../../platform/ids";
import { executions } from "../schema";
import { createTestStore, insertStrategy, insertUser, type TestStore } from "../../../test/support/store";
import { failExecution, recordExecution } from "./executions";
import {
  claimExecution,
  failStuckExecutions,
  listLapsedLeases,
  renewLease,
  takeOverExecution,
  type Claim,
} from "./leases";

let store: TestStore;
let strategyId: string;
beforeAll(async () => {
  store = await createTestStore();
  const author = await insertUser(store, "author");
  strategyId = (await insertStrategy(store, author.id)).id;
});
afterAll(() => store.cleanup());

let closeTime = 1_700_000_000_000;
function claimFor(workerId: string, leaseMs: number, key?: Partial<Claim>): Claim {
  if (!key) closeTime += 60_000;
  return {
    id: newId(),
    strategyId,
    versionId: null,
    symbol: "BTC/USDT",
    resolution: "1m",
    closeTime,
    startedAt: Date.now(),
    workerId,
    leaseMs,
    ...key,
  };
}
const result = (claim: Claim) => ({
  execution: {
    ...claim,
    status: "SKIPPED" as const,
    reason: "test",
    subscriberCount: 0,
    finishedAt: Date.now(),
  },
});
const rowOf = async (claim: Claim) =>
  (await store.db.select().from(executions).where(eq(executions.closeTime, claim.closeTime)))[0];
const lapsed = (claim: Claim) =>
  vi.waitFor(
    async () =>
      expect(await listLapsedLeases(store.db, 100)).toContainEqual(
        expect.objectContaining({ closeTime: claim.closeTime }),
      ),
    {
      timeout: 2_000,
      interval: 10,
    },
  );

it("refuses a takeover while the lease holds, allows it once lapsed, and then refuses the old holder's commit", async () => {
  const a = claimFor("a", 150);
  expect(await claimExecution(store.db, a)).toBe(true);
  const b = claimFor("b", 60_000, { closeTime: a.closeTime });
  expect(await claimExecution(store.db, b)).toBe(false);
  expect(await takeOverExecution(store.db, a.id, b)).toBe(false);

  await lapsed(a);
  expect(await takeOverExecution(store.db, a.id, b)).toBe(true);
  expect(await rowOf(a)).toMatchObject({ id: b.id, workerId: "b", status: "RUNNING" });
  // A, resumed, can neither renew, nor commit, nor fail the candle.
  expect(await renewLease(store.db, a.id, 60_000)).toBe(false);
  expect(await recordExecution(store.db, result(a))).toMatchObject({
    status: "already_recorded",
    executionId: b.id,
  });
  expect(
    await failExecution(store.db, a.id, { errorKind: "x", errorMessage: "x", finishedAt: Date.now() }),
  ).toBe(false);
  expect(await recordExecution(store.db, result(b))).toMatchObject({ status: "recorded" });
  expect(await rowOf(a)).toMatchObject({ id: b.id, status: "SKIPPED" });
});

it("refuses the commit of a holder whose lease lapsed even when nobody took the candle over", async () => {
  const a = claimFor("a", 100);
  expect(await claimExecution(store.db, a)).toBe(true);
  await lapsed(a);
  expect(await recordExecution(store.db, result(a))).toMatchObject({
    status: "already_recorded",
    existingStatus: "RUNNING",
  });
  expect(await renewLease(store.db, a.id, 60_000)).toBe(false);
  expect(await rowOf(a)).toMatchObject({ status: "RUNNING" });
});

it("keeps a renewed lease past its first length", async () => {
  const a = claimFor("a", 300);
  expect(await claimExecution(store.db, a)).toBe(true);
  const until = Date.now() + 900;
  while (Date.now() < until) {
    expect(await renewLease(store.db, a.id, 300)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await listLapsedLeases(store.db, 100)).not.toContainEqual(
    expect.objectContaining({ closeTime: a.closeTime }),
  );
  expect(await recordExecution(store.db, result(a))).toMatchObject({ status: "recorded" });
});

it("the janitor fails only rows whose lease lapsed more than its grace ago, and never creates one", async () => {
  const old = claimFor("dead", 1);
  const fresh = claimFor("alive", 60_000);
  expect(await claimExecution(store.db, old)).toBe(true);
  expect(await claimExecution(store.db, fresh)).toBe(true);
  await lapsed(old);
  expect(await failStuckExecutions(store.db, 60_000, Date.now())).not.toContain(old.id);
  const total = (await store.db.select().from(executions)).length;
  await new Promise((r) => setTimeout(r, 60));
  const failed = await failStuckExecutions(store.db, 50, Date.now());
  expect(failed).toContain(old.id);
  expect(failed).not.toContain(fresh.id);
  expect((await store.db.select().from(executions)).length).toBe(total);
  expect(await rowOf(old)).toMatchObject({ status: "FAILED", errorKind: "stuck" });
  expect(await rowOf(fresh)).toMatchObject({ status: "RUNNING" });
});
