// Builds the AppContext every loader and action receives, the same way on Node (scripts/start.ts) and Deno (server/deno.ts).
import type { AppContext, HealthReport } from "../app/context.server";
import { createEventHub } from "../app/event-hub.server";
import { createStreamSeats } from "../app/stream-seats.server";
import type { Store } from "../db/store/client";
import { probeStoreWrite } from "../db/store/health-probe";
import type { Config } from "../db/platform/config.server";
import type { Infra } from "../db/infra/index.server";
import type { JobSender } from "../db/contracts/jobs";
import type { Logger } from "../db/platform/logger.server";
import type { Mailer } from "../db/platform/mail";

type PartHealth = { ok: boolean; detail: string };

export interface AppContextParts {
  config: Config;
  store: Store;
  infra: Infra;
  /** The process logger; the context gets a `part: "web"` child. */
  logger: Logger;
  /** The entry's mail transport: MAIL_URL's on Node, the log on Deno. */
  mailer: Mailer;
  /** Enqueues worker jobs; null where no queue is reachable (web only without POSTGRES_URL). */
  jobs: JobSender | null;
  /** The worker's health when it runs in this process (embedded mode); absent for a web-only process. */
  workerHealth?: () => Promise<PartHealth>;
}

export async function createAppContext(parts: AppContextParts): Promise<AppContext> {
  const { config, store, infra, logger, mailer, jobs, workerHealth } = parts;
  const health = async (): Promise<HealthReport> => {
    const [storeState, queueState, busState] = await Promise.all([
      probeStoreWrite(store, { part: "web", databaseUrl: config.databaseUrl }),
      workerHealth
        ? workerHealth().catch((e: Error) => ({ ok: false, detail: e.message }))
        : { ok: true, detail: "not in this process (web only)" },
      infra.health(),
    ]);
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
  const streams = createStreamSeats({ seats: infra.seats, logger: logger.child({ part: "event-streams" }) });
  return { store, infra, config, health, events, streams, logger: logger.child({ part: "web" }), mailer, jobs };
}
