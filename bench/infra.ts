// `npm run bench -- infra`: lock acquire+release rate and latency, and pub/sub latency to 100 subscribers, Redis vs
// in-process, each Redis figure against bare ioredis doing the same round trips.
// The floors: a lock pair is at least two round trips, so its floor is a bare SET NX PX then DEL on one ioredis
// client (no token check, no Lua); a delivery is at least one PUBLISH reaching 100 bare ioredis subscribers (no
// prefix, no JSON). Both pay exactly the network and Redis cost our layer rides on, so the ratio is what it adds.
// Flags: --scale 1 (multiplies the number of lock pairs and messages)
import { Redis } from "ioredis";
import { createInfra, deleteKeysByPrefix, type Infra } from "../db/infra/index.server";
import { REDIS_URL } from "../test/support/worker/processes";
import { numberFlag } from "./_args";
import type { Need } from "./_needs";
import { againstFloor, percentile, printResult, round } from "./_stats";

export const needs: Need[] = ["redis"];

const SUBSCRIBERS = 100;

type Kind = "redis" | "memory";

/** Times `pairs` calls of `pair` (one acquire and release) in µs. */
async function timePairs(pairs: number, pair: (i: number) => Promise<void>) {
  const micros: number[] = [];
  const started = performance.now();
  for (let i = 0; i < pairs; i++) {
    const t0 = performance.now();
    await pair(i);
    micros.push((performance.now() - t0) * 1000);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    pairsPerSec: Math.round(pairs / seconds),
    p50Us: round(percentile(micros, 50), 1),
    p99Us: round(percentile(micros, 99), 1),
  };
}

const lockPair = (infra: Infra) => async (i: number) => {
  const handle = await infra.lock.acquire(`bench:lock:${i % 64}`, 10_000);
  if (!handle || !(await handle.release())) throw new Error("lock bench: acquire or release failed");
};

const rawPair = (redis: Redis, keyPrefix: string) => async (i: number) => {
  const key = `${keyPrefix}raw:${i % 64}`;
  if ((await redis.set(key, "token", "PX", 10_000, "NX")) !== "OK") throw new Error("raw SET NX failed");
  await redis.del(key);
};

/** Publishes `messages` times to `SUBSCRIBERS` listeners; when the last of them has each message, the next goes. */
async function timeDeliveries(
  messages: number,
  listen: (onMessage: () => void) => Promise<void>,
  publish: (i: number) => Promise<unknown>,
) {
  const deliveryMs: number[] = [];
  const lastMs: number[] = [];
  let pending = 0;
  let allIn: () => void = () => {};
  let lastArrival = 0;
  let sentAt = 0;
  await listen(() => {
    lastArrival = performance.now();
    deliveryMs.push(lastArrival - sentAt);
    if (--pending === 0) allIn();
  });
  for (let i = 0; i < messages; i++) {
    pending = SUBSCRIBERS;
    const done = new Promise<void>((resolve) => (allIn = resolve));
    sentAt = performance.now();
    await publish(i);
    await done;
    lastMs.push(lastArrival - sentAt);
  }
  return {
    deliveryP50Ms: round(percentile(deliveryMs, 50), 3),
    deliveryP99Ms: round(percentile(deliveryMs, 99), 3),
    lastSubscriberP50Ms: round(percentile(lastMs, 50), 3),
  };
}

async function busDeliveries(kind: Kind, publisher: Infra, keyPrefix: string, messages: number) {
  // On Redis each subscriber is its own client with its own connection, as web replicas are.
  const clients =
    kind === "memory"
      ? Array.from({ length: SUBSCRIBERS }, () => publisher)
      : await Promise.all(
          Array.from({ length: SUBSCRIBERS }, () => createInfra({ redisUrl: REDIS_URL, keyPrefix })),
        );
  try {
    return await timeDeliveries(
      messages,
      async (onMessage) => {
        await Promise.all(clients.map((client) => client.bus.subscribe("bench", onMessage)));
      },
      (seq) => publisher.bus.publish("bench", { seq }),
    );
  } finally {
    if (kind === "redis") await Promise.all(clients.map((client) => client.close()));
  }
}

async function rawDeliveries(channel: string, messages: number) {
  const publisher = new Redis(REDIS_URL);
  const clients = Array.from({ length: SUBSCRIBERS }, () => new Redis(REDIS_URL));
  try {
    return await timeDeliveries(
      messages,
      async (onMessage) => {
        await Promise.all(clients.map((c) => c.subscribe(channel)));
        for (const c of clients) c.on("message", onMessage);
      },
      (seq) => publisher.publish(channel, String(seq)),
    );
  } finally {
    for (const c of [publisher, ...clients]) c.disconnect();
  }
}

export default async function run(args: string[]): Promise<void> {
  const scale = numberFlag(args, "scale", 1, 0.02);
  const results: Record<string, unknown> = { subscribers: SUBSCRIBERS };
  let redisLock: ReturnType<typeof againstFloor> | undefined;
  for (const kind of ["memory", "redis"] as const) {
    const keyPrefix = `bench:infra:${crypto.randomUUID()}:`;
    const infra = await createInfra(kind === "redis" ? { redisUrl: REDIS_URL, keyPrefix } : {});
    const raw = new Redis(REDIS_URL);
    try {
      const pairs = Math.round((kind === "redis" ? 5_000 : 100_000) * scale);
      const messages = Math.max(5, Math.round(300 * scale));
      const lock = await timePairs(pairs, lockPair(infra));
      console.log(
        `${kind} lock acquire+release: ${lock.pairsPerSec} pairs/s, p50 ${lock.p50Us} µs, p99 ${lock.p99Us} µs`,
      );
      const pubsub = await busDeliveries(kind, infra, keyPrefix, messages);
      console.log(
        `${kind} pub/sub to ${SUBSCRIBERS} subscribers: delivery p50 ${pubsub.deliveryP50Ms} ms, p99 ${pubsub.deliveryP99Ms} ms; ` +
          `last subscriber p50 ${pubsub.lastSubscriberP50Ms} ms`,
      );
      results[kind] = { lock, pubsub };
      if (kind === "redis") {
        const rawLock = await timePairs(pairs, rawPair(raw, keyPrefix));
        redisLock = againstFloor("redis lock acquire+release p50", lock.p50Us, rawLock.p50Us, {
          unit: "µs",
          floorIs: "bare SET NX PX + DEL",
        });
        const rawPubsub = await rawDeliveries(`${keyPrefix}raw`, messages);
        const delivery = againstFloor(
          `redis pub/sub last subscriber p50`,
          pubsub.lastSubscriberP50Ms,
          rawPubsub.lastSubscriberP50Ms,
          { unit: "ms", floorIs: `bare PUBLISH to ${SUBSCRIBERS} bare subscribers` },
        );
        results.pubsub_ratio = round(delivery.ratio);
      }
    } finally {
      raw.disconnect();
      await infra.close();
      if (kind === "redis") await deleteByPrefix(keyPrefix);
    }
  }
  printResult("infra", redisLock!, results);
}

async function deleteByPrefix(prefix: string) {
  const admin = new Redis(REDIS_URL);
  await deleteKeysByPrefix(admin, prefix);
  await admin.quit();
}
