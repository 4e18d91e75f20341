// Builds the AppContext every loader and action receives, the same way on Node (scripts/start.ts) and Deno (server/deno.ts).
import type { AppContext, HealthReport } from "../app/context.server";
import { createEventHub } from "../app/event-hub.server";
import type { Store } from "../db/store/client";
import type { Config } from "../db/platform/config.server";
import type { Infra } from "../db/infra/index.server";
import type { JobSender } from "../db/contracts/jobs";
import type { Logger } from "../db/platform/logger.server";

type PartHealth = { ok: boolean; detail: string };

export interface AppContextParts {
  config: Config;
  store: Store;
  infra: Infra;
  /** The process logger; the context gets a `part: "web"` child. */
  logger: Logger;
  /** Enqueues worker jobs; null where no queue is reachable (web only without POSTGRES_URL). */
  jobs: JobSender | null;
  /** The worker's health when it runs in this process (embedded mode); absent for a web-only process. */
  workerHealth?: () => Promise<PartHealth>;
}

/**
 * Where the store lives, safe to show on /healthz: the scheme for a file, the origin (no path, query or
 * credentials) for sqld / Turso.
 */
export function describeStore(databaseUrl: string): string {
  if (databaseUrl.startsWith("file:")) return "file store";
  try {
    const url = new URL(databaseUrl);
    return `libSQL server ${url.protocol}//${url.host}`;
  } catch {
    return `${databaseUrl.split(":")[0]} store`;
  }
}

export async function createAppContext(parts: AppContextParts): Promise<AppContext> {
  const { config, store, infra, logger, jobs, workerHealth } = parts;
  const health = async (): Promise<HealthReport> => {
    const storeState = await store.client
      .execute("select 1")
      .then(() => ({ ok: true, detail: `${describeStore(config.databaseUrl)} reachable` }))
      .catch((e: Error) => ({ ok: false, detail: e.message }));
    const queueState = workerHealth
      ? await workerHealth().catch((e: Error) => ({ ok: false, detail: e.message }))
      : { ok: true, detail: "not in this process (web only)" };
    const busState = await infra.health();
    return {
      ok: storeState.ok && queueState.ok && busState.ok,
      store: storeState,
      queue: queueState,
      bus: busState,
    };
  };
  const events = await createEventHub({
    bus: infra.bus,
    db: store.db,
    logger: logger.child({ part: "event-hub" }),
  });
  return { store, infra, config, health, events, logger: logger.child({ part: "web" }), jobs };
}
