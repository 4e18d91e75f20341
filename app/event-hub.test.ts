// The live hub delivers every committed outbox event of a user once and in sequence order, whatever
// the order the workers' announcements arrive in, and also when a worker died before announcing.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { randomUUID } from "node:crypto";
import { type OutboxEvent } from "../db/contracts/events";
import { createInfra, type Infra } from "../db/infra/index.server";
import { events } from "../db/store/schema";
import { createTestStore, insertUser, type TestStore } from "../test/support/store";
import { createEventHub, type EventHub } from "./event-hub.server";

const REDIS_URL = "redis://127.0.0.1:6379";

let store: TestStore;
let userId: string;
let otherId: string;
beforeAll(async () => {
  store = await createTestStore();
  userId = (await insertUser(store, "alice")).id;
  otherId = (await insertUser(store, "bob")).id;
});
afterAll(() => store.cleanup());

/** One commit of a worker: outbox rows written in the store, returned with their seq (not announced yet). */
async function commit(rows: Array<{ userId: string | null; tag: string }>): Promise<OutboxEvent[]> {
  const written = await store.db
    .insert(events)
    .values(
      rows.map((r) => ({ userId: r.userId, type: "execution", payload: JSON.stringify({ tag: r.tag }) })),
    )
    .returning();
  return written.map((r) => ({ ...r, type: "execution" as const, payload: JSON.parse(r.payload) }));
}

function collect(hub: EventHub, user: string) {
  const seen: OutboxEvent[] = [];
  const disconnect = hub.connect(user, (e) => seen.push(e));
  return { seen, disconnect };
}

const quiet = { warn: () => {}, error: () => {} };

describe.each([
  // In process, the workers share the web's bus; with Redis each worker has connections of its own.
  ["in-process bus", false],
  ["Redis bus", true],
])("event hub on the %s", (_name, redis) => {
  let web: Infra;
  let hub: EventHub;
  let keyPrefix: string;
  const workerInfra = async () =>
    redis ? await createInfra({ redisUrl: REDIS_URL, keyPrefix, logger: quiet }) : web;
  beforeEach(async () => {
    keyPrefix = `cc-hub-${randomUUID()}:`;
    web = await createInfra(redis ? { redisUrl: REDIS_URL, keyPrefix, logger: quiet } : { logger: quiet });
    hub = await createEventHub({ bus: web.bus, db: store.db, sweepMs: 60_000 });
  });
  afterEach(async () => {
    await hub.close();
    await web.close();
  });

  it("delivers in sequence order when a later commit is announced first", async () => {
    const first = await commit([{ userId, tag: "a" }]);
    const second = await commit([
      { userId, tag: "b" },
      { userId: otherId, tag: "x" },
    ]);
    const third = await commit([{ userId, tag: "c" }]);
    const { seen } = collect(hub, userId);

    await web.bus.publish(CHANNELS.outbox, { events: third });
    await web.bus.publish(CHANNELS.outbox, { events: first });
    await web.bus.publish(CHANNELS.outbox, { events: second });

    await vi.waitFor(() =>
      expect(seen.map((e) => e.payload)).toEqual([{ tag: "a" }, { tag: "b" }, { tag: "c" }]),
    );
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("delivers events of many concurrent workers exactly once and in order", async () => {
    const { seen } = collect(hub, userId);
    const workers = await Promise.all(Array.from({ length: 4 }, workerInfra));
    try {
      // Each worker commits then announces after a random delay, so announcements cross.
      const committed = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const rows = await commit([{ userId, tag: `w${i}` }]);
          const bus = workers[i % workers.length].bus;
          setTimeout(() => void bus.publish(CHANNELS.outbox, { events: rows }), Math.random() * 30);
          return rows[0].seq;
        }),
      );
      const expected = [...committed].sort((a, b) => a - b);
      await vi.waitFor(() => expect(seen.map((e) => e.seq)).toEqual(expected));
    } finally {
      if (redis) if (redis) await Promise.all(workers.map((w) => w.close()));
    }
  });
});

it("delivers an event whose worker died between its commit and its announcement", async () => {
  const web = await createInfra({ logger: quiet });
  const hub = await createEventHub({ bus: web.bus, db: store.db, sweepMs: 50 });
  try {
    const { seen } = collect(hub, userId);
    const orphan = await commit([{ userId, tag: "never announced" }]);
    await vi.waitFor(() => expect(seen.map((e) => e.seq)).toEqual([orphan[0].seq]));
    // Announced later after all (a slow publisher): not delivered twice.
    const next = await commit([{ userId, tag: "next" }]);
    await web.bus.publish(CHANNELS.outbox, { events: orphan });
    await web.bus.publish(CHANNELS.outbox, { events: next });
    await vi.waitFor(() => expect(seen.map((e) => e.seq)).toEqual([orphan[0].seq, next[0].seq]));
  } finally {
    await hub.close();
    await web.close();
  }
});
