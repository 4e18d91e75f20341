// The store, Redis and Postgres as the entry points open them at start: waiting, with backoff and a log line
// per attempt, for whichever is not up yet (a worker or web replica, on Node or Deno, started before its
// dependencies). Runtime-neutral: each entry passes how it opens its store (the native client, or the web one).
import type { Config } from "../db/platform/config.server";
import type { Logger } from "../db/platform/logger.server";
import { waitForDependency } from "../db/platform/wait-for-dependency";
import { createInfra } from "../db/infra/index.server";
import type { Store } from "../db/store/client";
import { migrateStore } from "../db/store/migrate";
import { createQueue, type QueueOptions } from "./queue";

/** Opens (with `open`) and migrates the store once it answers. */
export function openStoreWhenUp(open: () => Promise<Store>, logger: Logger): Promise<Store> {
  return waitForDependency(
    "the store (DATABASE_URL)",
    async () => {
      const store = await open();
      try {
        await migrateStore(store.db);
        return store;
      } catch (error) {
        store.close();
        throw error;
      }
    },
    { logger },
  );
}

export function createInfraWhenUp(config: Config, logger: Logger) {
  return waitForDependency(
    "Redis (REDIS_URL)",
    () => createInfra({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger }),
    { logger },
  );
}

export function createQueueWhenUp(options: QueueOptions, logger: Logger) {
  return waitForDependency("Postgres (POSTGRES_URL)", () => createQueue(options), { logger });
}
