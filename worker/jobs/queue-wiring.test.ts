// The author jobs through a real pg-boss (embedded PGlite): the web app's sender queues, a worker runs, the result comes back on the bus.
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outboxMessageSchema, type OutboxEvent } from "../../db/contracts/events";
import { createInfra, type Infra } from "../../db/infra/index.server";
import { QUEUES } from "../../db/contracts/queues-and-channels";
import { createTestStore, insertUser, SAMPLE_CODE, type TestStore } from "../../test/support/store";
import { createQueue, type Queue } from "../queue";
import { createStrategyRunner } from "../runtime";
import { createJobSender, registerAuthorJobs, type RegisteredAuthorJobs } from "./index";

let store: TestStore;
let infra: Infra;
let queue: Queue;
let registered: RegisteredAuthorJobs;
let dataDir: string;

beforeAll(async () => {
  store = await createTestStore();
  infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  dataDir = mkdtempSync(join(tmpdir(), "candlecast-author-jobs-"));
  queue = await createQueue({ dataDir });
  registered = await registerAuthorJobs(queue.boss, {
    store,
    bus: infra.bus,
    lock: infra.lock,
    runner: createStrategyRunner(),
  });
});
afterAll(async () => {
  await registered?.stop();
  await queue?.close();
  await infra?.close();
  store?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("author jobs on pg-boss", () => {
  it("a validation queued by the sender is run by a registered worker, woken at once, and its result is published", async () => {
    const user = await insertUser(store);
    const received: OutboxEvent[] = [];
    await infra.bus.subscribe(CHANNELS.outbox, (m) => received.push(...outboxMessageSchema.parse(m).events));
    const sender = createJobSender(queue.boss, infra.bus, { warn: () => {} });
    const started = performance.now();
    const id = await sender.send(QUEUES.validateStrategy, {
      requestId: "q-1",
      userId: user.id,
      code: SAMPLE_CODE,
    });
    expect(id).toEqual(expect.any(String));
    await vi.waitFor(
      () =>
        expect(received.find((e) => e.type === "validation.result")).toMatchObject({
          userId: user.id,
          payload: { requestId: "q-1", ok: true },
        }),
      { timeout: 15_000, interval: 20 },
    );
    // notifyWorker through the bus: well under pg-boss's half-second poll plus the run.
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("the sender refuses a payload the queue's schema refuses, before it reaches the queue", async () => {
    const sender = createJobSender(queue.boss, infra.bus, { warn: () => {} });
    await expect(sender.send(QUEUES.runBacktest, { backtest: "x" })).rejects.toThrow(/backtestId/);
  });
});
