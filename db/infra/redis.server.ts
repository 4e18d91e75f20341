// Builds ioredis clients the way infra expects them (prefixed keys, errors logged, explicit connect) for reuse elsewhere.
import { Redis } from "ioredis";
import type { InfraLogger } from "./logger";

export class RedisUnavailableError extends Error {
  constructor(
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot connect to Redis at ${redactUrl(url)}`, options);
    this.name = "RedisUnavailableError";
  }
}

export type CreateRedisOptions = {
  /** Applied by ioredis to every key (not to pub/sub channels: the bus prefixes those itself). */
  keyPrefix?: string;
  /** Shown in CLIENT LIST, which is how an operator (or a test) finds a connection. */
  connectionName?: string;
  logger: InfraLogger;
};

/** Not connected yet: call connectRedis (or issue a command) to connect. */
export function createRedis(url: string, options: CreateRedisOptions): Redis {
  const redis = new Redis(url, {
    keyPrefix: options.keyPrefix,
    connectionName: options.connectionName,
    lazyConnect: true,
  });
  // Without a listener ioredis prints every connection error itself; reconnects are its own job.
  redis.on("error", (error: Error) => {
    options.logger.warn(
      { error: error.message, connection: options.connectionName },
      "redis connection error",
    );
  });
  return redis;
}

export async function connectRedis(redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(url, { cause: error });
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable url)";
  }
}

/** For tests and benches sharing one Redis: removes only their own keys (never FLUSHALL a shared server). */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) deleted += await redis.del(...keys);
  }
  return deleted;
}
