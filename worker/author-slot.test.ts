// Author jobs have a sandbox slot of their own: a slow validation never holds up a candle execution.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { outboxMessageSchema, type OutboxEvent } from "../db/contracts/events";
import { QUEUES } from "../db/contracts/queues-and-channels";
import { executions } from "../db/store/schema";
import { insertStrategy, insertSubscriptions, insertUser } from "../test/support/store";
import { latestClose } from "./boundaries";
import { createJobSender } from "./jobs";
import { startWorker, type RunningWorker } from "./main";
import { testWorkerConfig } from "../test/support/worker/config";
import { createEmbeddedServices, type EmbeddedServices } from "../test/support/worker/embedded-services";
import { BUY_CODE, sleepOnceCode } from "../test/support/worker/strategies";

/** The validation's live run, then its backtest, each hold the slot 3 s. */
const SLOW_VALIDATION = sleepOnceCode(3);

let services: EmbeddedServices;
let worker: RunningWorker;

beforeAll(async () => {
  services = await createEmbeddedServices("author-slot");
  worker = await startWorker({
    config: testWorkerConfig(services.store.url),
    store: services.store,
    infra: services.infra,
    queue: services.queue,
    logger: pino({ level: "silent" }),
    // One sandbox slot for candle runs: shared with the author jobs, the slow validation would take it.
    options: {
      runConcurrency: 1,
      scheduler: false,
      periodic: false,
      catchUpOnStart: false,
      missedAfterRealMs: 600_000,
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  await services?.close();
});

it("a candle execution runs while an author's slow validation holds the author slot", async () => {
  const { store, infra, queue } = services;
  const author = await insertUser(store, "author");
  const strategy = await insertStrategy(store, author.id, { code: BUY_CODE, resolution: "1m" });
  await insertSubscriptions(store, strategy.id, 3);
  const published: OutboxEvent[] = [];
  await infra.bus.subscribe(CHANNELS.outbox, (m) => published.push(...outboxMessageSchema.parse(m).events));

  const jobId = await createJobSender(queue.boss, infra.bus, pino({ level: "silent" })).send(
    QUEUES.validateStrategy,
    {
      requestId: "slow-1",
      userId: author.id,
      code: SLOW_VALIDATION,
    },
  );
  // The validation's handler has started, and its manifest read (milliseconds) is behind it: the 3 s run is on.
  await vi.waitFor(
    async () =>
      expect((await queue.boss.getJobById(QUEUES.validateStrategy, String(jobId)))?.state).toBe("active"),
    { timeout: 5_000, interval: 50 },
  );
  // No event says the sandbox run itself is under way; half a second puts it well inside its 3 s.
  await new Promise((r) => setTimeout(r, 500));

  const started = performance.now();
  const closeTime = latestClose(Date.now(), "1m");
  await worker.enqueue([{ strategyId: strategy.id, symbol: "BTC/USDT", resolution: "1m", closeTime }]);
  await vi.waitFor(
    async () => {
      const [row] = await store.db
        .select({ status: executions.status })
        .from(executions)
        .where(and(eq(executions.strategyId, strategy.id), eq(executions.closeTime, closeTime)));
      expect(row?.status).toBe("COMPLETED");
    },
    { timeout: 10_000, interval: 25 },
  );
  // Done before the validation's first 3 s sleep ended: it never waited for that slot.
  expect(published.some((e) => e.type === "validation.result")).toBe(false);
  expect(performance.now() - started).toBeLessThan(2_400);

  await vi.waitFor(
    () =>
      expect(published.find((e) => e.type === "validation.result")).toMatchObject({
        payload: { requestId: "slow-1", ok: true },
      }),
    { timeout: 10_000, interval: 50 },
  );
});
