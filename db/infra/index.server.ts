// Builds the lock, cache, bus and seats: on Redis when a URL is given, in-process (embedded mode) when not.
import type { Bus } from "./bus";
import { createMemoryBus } from "./bus-memory";
import { createRedisBus } from "./bus-redis.server";
import type { Cache } from "./cache";
import { createMemoryCache } from "./cache-memory";
import { createRedisCache } from "./cache-redis.server";
import type { Lock } from "./lock";
import { createMemoryLock } from "./lock-memory";
import { createRedisLock } from "./lock-redis.server";
import type { Seats } from "./seats";
import { createMemorySeats } from "./seats-memory";
import { createRedisSeats } from "./seats-redis.server";
import { consoleLogger, type InfraLogger } from "./logger";
import { connectRedis, createRedis } from "./redis.server";

export { createRedis, connectRedis, deleteKeysByPrefix, RedisUnavailableError } from "./redis.server";

export type Infra = {
  lock: Lock;
  cache: Cache;
  bus: Bus;
  /** Places under a per-key cap, across the deployment (the per-user event-stream cap). */
  seats: Seats;
  kind: "redis" | "memory";
  health(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
};

export type InfraOptions = {
  /** Unset: in-process implementations, for the embedded one-process mode. */
  redisUrl?: string;
  /** Prefixes every Redis key and channel; distinct prefixes never see each other. */
  keyPrefix?: string;
  /** Clock for in-process lock, cache and seats expiry; Redis keeps its own time. */
  now?: () => number;
  logger?: InfraLogger;
  /** How long health() waits for PING. */
  healthTimeoutMs?: number;
};

export const DEFAULT_KEY_PREFIX = "candlecast:";

/** Rejects with RedisUnavailableError when redisUrl is set and Redis does not answer. */
export async function createInfra(options: InfraOptions = {}): Promise<Infra> {
  const logger = options.logger ?? consoleLogger();
  if (!options.redisUrl) return createMemoryInfra(options.now, logger);

  const url = options.redisUrl;
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const redis = createRedis(url, { keyPrefix, connectionName: connectionName(keyPrefix, "main"), logger });
  await connectRedis(redis, url);
  const bus = createRedisBus({
    publisher: redis,
    channelPrefix: keyPrefix,
    logger,
    async connectSubscriber() {
      const subscriber = createRedis(url, { connectionName: connectionName(keyPrefix, "bus"), logger });
      await connectRedis(subscriber, url);
      return subscriber;
    },
  });
  const healthTimeoutMs = options.healthTimeoutMs ?? 1000;
  let closing: Promise<void> | undefined;

  return {
    lock: createRedisLock(redis),
    cache: createRedisCache(redis),
    bus,
    seats: createRedisSeats(redis),
    kind: "redis",
    async health() {
      const started = performance.now();
      try {
        await withTimeout(redis.ping(), healthTimeoutMs);
        return { ok: true, detail: `redis ping ${(performance.now() - started).toFixed(1)} ms` };
      } catch (error) {
        return {
          ok: false,
          detail: `redis ${redis.status}: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    },
    close() {
      // Idempotent: the app and the worker share one Infra in embedded mode and may both close it.
      closing ??= bus.close().then(async () => {
        await redis.quit();
      });
      return closing;
    },
  };
}

function createMemoryInfra(now: (() => number) | undefined, logger: InfraLogger): Infra {
  const bus = createMemoryBus({ logger });
  return {
    lock: createMemoryLock({ now }),
    cache: createMemoryCache({ now }),
    bus,
    seats: createMemorySeats({ now }),
    kind: "memory",
    health: async () => ({ ok: true, detail: "in-process lock, cache and bus" }),
    close: () => bus.close(),
  };
}

/** CLIENT SETNAME refuses spaces and newlines. */
function connectionName(keyPrefix: string, role: string): string {
  return `${keyPrefix}${role}`.replace(/[^\x21-\x7e]/g, "_");
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
