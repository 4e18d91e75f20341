// `npm run bench -- infra`: lock acquire+release rate and latency, and pub/sub latency to 100 subscribers, Redis vs in-process.
import { Redis } from "ioredis";
import { createInfra, deleteKeysByPrefix, type Infra } from "../db/infra/index.server";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SUBSCRIBERS = 100;

type Kind = "redis" | "memory";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function benchLock(infra: Infra, pairs: number) {
  const micros: number[] = [];
  const started = performance.now();
  for (let i = 0; i < pairs; i++) {
    const t0 = performance.now();
    const handle = await infra.lock.acquire(`bench:lock:${i % 64}`, 10_000);
    if (!handle || !(await handle.release())) throw new Error("lock bench: acquire or release failed");
    micros.push((performance.now() - t0) * 1000);
  }
  const seconds = (performance.now() - started) / 1000;
  micros.sort((a, b) => a - b);
  return {
    pairsPerSec: Math.round(pairs / seconds),
    p50Us: round(percentile(micros, 50)),
    p99Us: round(percentile(micros, 99)),
  };
}

async function subscribers(kind: Kind, publisher: Infra, keyPrefix: string): Promise<Infra[]> {
  // On Redis each subscriber is its own process-like client with its own connection, as web replicas are.
  if (kind === "memory") return Array.from({ length: SUBSCRIBERS }, () => publisher);
  return Promise.all(
    Array.from({ length: SUBSCRIBERS }, () => createInfra({ redisUrl: REDIS_URL, keyPrefix })),
  );
}

async function benchPubSub(kind: Kind, publisher: Infra, keyPrefix: string, messages: number) {
  const clients = await subscribers(kind, publisher, keyPrefix);
  const deliveryMs: number[] = [];
  const lastMs: number[] = [];
  let pending = 0;
  let allIn: () => void = () => {};
  let lastArrival = 0;
  await Promise.all(
    clients.map((client) =>
      client.bus.subscribe("bench", () => {
        lastArrival = performance.now();
        deliveryMs.push(lastArrival - sentAt);
        if (--pending === 0) allIn();
      }),
    ),
  );
  let sentAt = 0;
  for (let i = 0; i < messages; i++) {
    pending = SUBSCRIBERS;
    const done = new Promise<void>((resolve) => (allIn = resolve));
    sentAt = performance.now();
    await publisher.bus.publish("bench", { seq: i });
    await done;
    lastMs.push(lastArrival - sentAt);
  }
  if (kind === "redis") await Promise.all(clients.map((client) => client.close()));
  deliveryMs.sort((a, b) => a - b);
  lastMs.sort((a, b) => a - b);
  return {
    deliveryP50Ms: round(percentile(deliveryMs, 50), 3),
    deliveryP99Ms: round(percentile(deliveryMs, 99), 3),
    lastSubscriberP50Ms: round(percentile(lastMs, 50), 3),
  };
}

async function deleteByPrefix(prefix: string) {
  const admin = new Redis(REDIS_URL);
  await deleteKeysByPrefix(admin, prefix);
  await admin.quit();
}

export default async function run(args: string[]): Promise<void> {
  const scale = Number(args[0] ?? 1);
  const results: Record<string, unknown> = { subscribers: SUBSCRIBERS };
  for (const kind of ["memory", "redis"] as const) {
    const keyPrefix = `bench:infra:${crypto.randomUUID()}:`;
    const infra = await createInfra(kind === "redis" ? { redisUrl: REDIS_URL, keyPrefix } : {});
    try {
      const lock = await benchLock(infra, Math.round((kind === "redis" ? 5_000 : 100_000) * scale));
      console.log(
        `${kind} lock acquire+release: ${lock.pairsPerSec} pairs/s, p50 ${lock.p50Us} µs, p99 ${lock.p99Us} µs`,
      );
      const pubsub = await benchPubSub(kind, infra, keyPrefix, Math.round(300 * scale));
      console.log(
        `${kind} pub/sub to ${SUBSCRIBERS} subscribers: delivery p50 ${pubsub.deliveryP50Ms} ms, p99 ${pubsub.deliveryP99Ms} ms; ` +
          `last subscriber p50 ${pubsub.lastSubscriberP50Ms} ms`,
      );
      results[kind] = { lock, pubsub };
    } finally {
      await infra.close();
      if (kind === "redis") await deleteByPrefix(keyPrefix);
    }
  }
  console.log(JSON.stringify({ bench: "infra", ...results }));
}
