// The embedded mode end to end: PGlite queue, in-process lock/cache/bus, the real sandbox; simulated closes make trades.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { eq } from "drizzle-orm";
import pino from "pino";
import { executionEventSchema, outboxMessageSchema, type OutboxEvent } from "../db/contracts/events";
import type { Infra } from "../db/infra/index.server";
import { subscriptions, trades } from "../db/store/schema";
import { insertStrategy, insertSubscriptions, insertUser, type TestStore } from "../test/support/store";
import { testWorkerConfig } from "../test/support/worker/config";
import { BUY_CODE } from "../test/support/worker/strategies";
import { startWorker, type RunningWorker } from "./main";
import type { Queue } from "./queue";
import { createEmbeddedServices, type EmbeddedServices } from "../test/support/worker/embedded-services";

let services: EmbeddedServices;
let store: TestStore;
let infra: Infra;
let queue: Queue;
let worker: RunningWorker;

beforeAll(async () => {
  services = await createEmbeddedServices("embedded");
  ({ store, infra, queue } = services);
});

afterAll(async () => {
  await worker?.stop();
  await services?.close();
});

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (!value) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

it("gives a new subscription trades and live events as simulated candles close", async () => {
  const author = await insertUser(store, "author");
  // At TIME_SCALE=60 a 1m candle closes every real second.
  worker = await startWorker({
    config: { ...testWorkerConfig(store.url), timeScale: 60 },
    store,
    infra,
    queue,
    logger: pino({ level: "silent" }),
  });
  const published: OutboxEvent[] = [];
  await infra.bus.subscribe(CHANNELS.outbox, (m) => published.push(...outboxMessageSchema.parse(m).events));

  // Subscribed after the worker started: the web app's change message updates the registry at once.
  const strategy = await insertStrategy(store, author.id, { code: BUY_CODE, resolution: "1m" });
  const [sub] = await insertSubscriptions(store, strategy.id, 1);
  // Stops and targets far away: on the random path no exit may close the position between the BUYs
  // (the skip below is what this test is about).
  await store.db
    .update(subscriptions)
    .set({ stopLossAtr: 20, takeProfitAtr: 50 })
    .where(eq(subscriptions.id, sub.id));
  await infra.bus.publish(CHANNELS.subscriptionChanged, {
    subscriptionId: sub.id,
    strategyId: strategy.id,
    status: "active",
  });

  const opened = await waitFor("an open trade", async () => {
    const rows = await store.db.select().from(trades).where(eq(trades.subscriptionId, sub.id));
    return rows.find((t) => t.status === "open") ?? null;
  });
  expect(opened).toMatchObject({ side: "LONG", strategyId: strategy.id, symbol: "BTC/USDT" });
  expect(opened.quantity).toBeGreaterThan(0);

  // The next closes see the position: BUY again is a recorded skip, never a second position. (Some
  // closes may be recorded missed at this speed, so wait for the skip itself, not a count of executions.)
  await waitFor("a BUY skipped as already in position", async () => {
    const rows = await store.db.select().from(trades).where(eq(trades.subscriptionId, sub.id));
    return rows.find((t) => t.status === "skipped" && t.reason === "already_in_position") ?? null;
  });
  const rows = await store.db.select().from(trades).where(eq(trades.subscriptionId, sub.id));
  expect(rows.filter((t) => t.status === "open")).toHaveLength(1);

  const events = await waitFor("live events", async () => {
    const mine = published.filter((e) => e.userId === sub.userId && e.type === "execution");
    return mine.length >= 2 ? mine : null;
  });
  const payloads = events.map((e) => executionEventSchema.parse(e.payload));
  expect(payloads.find((p) => p.opened)?.opened).toMatchObject({ id: opened.id, side: "LONG" });
  expect(payloads.every((p) => p.subscriptionId === sub.id && p.signal === "BUY")).toBe(true);

  expect(worker.metrics()).toMatch(/candlecast_executions_total\{status="COMPLETED"\} [1-9]/);
  expect(worker.metrics()).toMatch(/candlecast_sandboxes_started_total\{kind="lean"\} [1-9]/);
  expect((await worker.health()).ok).toBe(true);
});
