// The kill switch's API through the real route tree, store and a real pg-boss on Postgres: 202 with what it
// will do, another user's ids 404, an unreachable queue 503 changing nothing, Idempotency-Key.
import { eq } from "drizzle-orm";
import pino from "pino";
import { newId } from "../../db/platform/ids";
import type { CloseAllJob } from "../../db/contracts/jobs";
import { QUEUES } from "../../db/contracts/queues-and-channels";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { recordExecution } from "../../db/store/queries/executions";
import { events, subscriptions } from "../../db/store/schema";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { openApiContract } from "../../test/openapi-contract";
import { insertStrategy, insertSubscriptions, insertUser, storeSnapshot } from "../../test/support/store";
import { createJobSender } from "../../worker/jobs";
import { createPostgresQueue, type PostgresQueue } from "../../test/support/postgres-queue";

let h: ApiHarness;
let pg: PostgresQueue;
let queue: PostgresQueue["queue"];
let documented: ReturnType<typeof openApiContract>;
let bob: { id: string; token: string; paperBrokerId: string };
let alice: { id: string; token: string };
let strategy: { id: string; versionId: string };
const silent = pino({ level: "silent" });

async function user(name: string) {
  const u = await insertUser(h.t.store, name);
  return { ...u, token: (await createApiToken(h.t.store.db, u.id, "test")).token };
}

let hours = 0;

/** A new active subscription of bob's paper account holding one open LONG trade. */
async function openPaperPosition() {
  const [sub] = await insertSubscriptions(h.t.store, strategy.id, 1, {
    userId: bob.id,
    brokerAccountId: bob.paperBrokerId,
  });
  await recordExecution(h.t.store.db, {
    execution: {
      id: newId(),
      strategyId: strategy.id,
      versionId: strategy.versionId,
      symbol: "BTC/USDT",
      resolution: "1h",
      closeTime: ++hours * 3_600_000,
      status: "COMPLETED",
      subscriberCount: 1,
      startedAt: 1,
      finishedAt: 2,
    },
    trades: [
      {
        id: newId(),
        subscriptionId: sub.id,
        userId: bob.id,
        symbol: "BTC/USDT",
        status: "open",
        side: "LONG",
        quantity: 0.1,
        entryPrice: 100,
        entryFee: 0.01,
      },
    ],
  });
  return sub.id;
}

const statusOf = async (id: string) =>
  (await h.t.store.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0].status;
const closeAll = (path: string, token: string, key?: string) =>
  h.call("POST", `/api/v1${path}/close-all`, {
    token,
    headers: key ? { "Idempotency-Key": key } : {},
  });
const expectDocumented = (operationId: string, answer: Awaited<ReturnType<typeof closeAll>>) =>
  expect(documented(operationId, answer), JSON.stringify(answer.body)).toEqual([]);

beforeAll(async () => {
  h = await createApiHarness();
  pg = await createPostgresQueue("close_all");
  queue = pg.queue;
  h.t.app.jobs = createJobSender(queue.boss, h.t.app.infra.bus, silent);
  const author = await insertUser(h.t.store, "author");
  strategy = await insertStrategy(h.t.store, author.id, { slug: "close-all-trend", resolution: "1h" });
  bob = await user("bob");
  alice = await user("alice");
  documented = openApiContract((await h.call("GET", "/api/v1/openapi.json")).body);
});
afterAll(async () => {
  await h?.t.close();
  await pg?.close();
});

describe("POST /subscriptions/{id}/close-all and /broker-accounts/{id}/close-all", () => {
  it("answers 202 CloseAllQueued, pauses the subscription and queues one job under the request's id", async () => {
    const subId = await openPaperPosition();
    const other = await openPaperPosition();
    const answer = await closeAll(`/subscriptions/${subId}`, bob.token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expectDocumented("closeAllSubscriptionPositions", answer);
    expect(answer.body).toEqual({
      id: answer.body.id,
      subscriptionsPaused: 1,
      openTrades: 1,
      restingOrders: 0,
    });
    expect(await statusOf(subId)).toBe("paused");
    expect(await statusOf(other)).toBe("active");
    const job = await queue.boss.getJobById(QUEUES.positionsCloseAll, answer.body.id);
    expect(job?.data).toMatchObject({
      requestId: answer.body.id,
      userId: bob.id,
      brokerAccountId: bob.paperBrokerId,
      subscriptionIds: [subId],
    });
    const announced = await h.t.store.db.select().from(events).where(eq(events.type, "subscription.changed"));
    expect(announced.map((e) => JSON.parse(e.payload))).toContainEqual(
      expect.objectContaining({ subscriptionId: subId, status: "paused" }),
    );
  });

  it("on a broker account covers every subscription on it", async () => {
    const first = await openPaperPosition();
    const second = await openPaperPosition();
    const before = await queue.boss.getQueueSize(QUEUES.positionsCloseAll);
    const answer = await closeAll(`/broker-accounts/${bob.paperBrokerId}`, bob.token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expectDocumented("closeAllBrokerAccountPositions", answer);
    expect(answer.body.openTrades).toBeGreaterThanOrEqual(2);
    expect(answer.body.subscriptionsPaused).toBeGreaterThanOrEqual(2);
    expect([await statusOf(first), await statusOf(second)]).toEqual(["paused", "paused"]);
    const job = await queue.boss.getJobById<CloseAllJob>(QUEUES.positionsCloseAll, answer.body.id);
    expect(job?.data.subscriptionIds).toEqual(expect.arrayContaining([first, second]));
    expect(await queue.boss.getQueueSize(QUEUES.positionsCloseAll)).toBe(before + 1);
  });

  it("404s another user's subscription and broker account, changing nothing", async () => {
    const subId = await openPaperPosition();
    const snapshot = await storeSnapshot(h.t.store);
    for (const [operationId, path] of [
      ["closeAllSubscriptionPositions", `/subscriptions/${subId}`],
      ["closeAllBrokerAccountPositions", `/broker-accounts/${bob.paperBrokerId}`],
    ]) {
      const denied = await closeAll(path, alice.token);
      expect(denied.status).toBe(404);
      expect(denied.body.error.code).toBe("not_found");
      expectDocumented(operationId, denied);
    }
    expect(await storeSnapshot(h.t.store)).toBe(snapshot);
  });

  it("503s jobs_unavailable when no queue is reachable, changing nothing", async () => {
    const subId = await openPaperPosition();
    // A pg-boss that was stopped: every send fails as with Postgres gone.
    const down = await createPostgresQueue("close_all_down");
    await down.close();
    const working = h.t.app.jobs;
    try {
      for (const jobs of [null, createJobSender(down.queue.boss, h.t.app.infra.bus, silent)]) {
        h.t.app.jobs = jobs;
        const snapshot = await storeSnapshot(h.t.store);
        for (const [operationId, path] of [
          ["closeAllSubscriptionPositions", `/subscriptions/${subId}`],
          ["closeAllBrokerAccountPositions", `/broker-accounts/${bob.paperBrokerId}`],
        ]) {
          const refused = await closeAll(path, bob.token, newId());
          expect(refused.status, JSON.stringify(refused.body)).toBe(503);
          expect(refused.body.error.code).toBe("jobs_unavailable");
          expect(refused.body.error.message).toMatch(/nothing was changed/);
          expectDocumented(operationId, refused);
        }
        expect(await storeSnapshot(h.t.store)).toBe(snapshot);
        expect(await statusOf(subId)).toBe("active");
      }
    } finally {
      h.t.app.jobs = working;
    }
  });

  it("with an Idempotency-Key, a retry gets the first answer and queues nothing more", async () => {
    await openPaperPosition();
    const key = newId();
    const first = await closeAll(`/broker-accounts/${bob.paperBrokerId}`, bob.token, key);
    expect(first.status).toBe(202);
    const size = await queue.boss.getQueueSize(QUEUES.positionsCloseAll);
    const again = await closeAll(`/broker-accounts/${bob.paperBrokerId}`, bob.token, key);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await queue.boss.getQueueSize(QUEUES.positionsCloseAll)).toBe(size);
  });

  it("the same close-all request sent to the queue twice is one job (its id is the request's)", async () => {
    const sender = createJobSender(queue.boss, h.t.app.infra.bus, silent);
    const job = {
      requestId: newId(),
      userId: bob.id,
      brokerAccountId: bob.paperBrokerId,
      subscriptionIds: [await openPaperPosition()],
      pausedAt: Date.now(),
    };
    expect(await sender.send(QUEUES.positionsCloseAll, job)).toBe(job.requestId);
    expect(await sender.send(QUEUES.positionsCloseAll, job)).toBeNull();
  });
});
