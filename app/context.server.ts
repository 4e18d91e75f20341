// What every loader and action receives from the server entry (built by the composition root, never a singleton).
import type { Store } from "../db/store/client";
import type { Config } from "../db/platform/config.server";
import type { Infra } from "../db/infra/index.server";
import type { JobSender } from "../db/contracts/jobs";
import type { Logger } from "../db/platform/logger.server";
import type { Mailer } from "../db/platform/mail";
import type { EventHub } from "./event-hub.server";
import type { StreamSeats } from "./stream-seats.server";

export interface HealthReport {
  ok: boolean;
  store: { ok: boolean; detail: string };
  queue: { ok: boolean; detail: string };
  bus: { ok: boolean; detail: string };
}

export interface AppContext {
  store: Store;
  infra: Infra;
  config: Config;
  health(): Promise<HealthReport>;
  /** Per-process fan-out of outbox events to the SSE streams (app/event-hub.server.ts). */
  events: EventHub;
  /** The per-user cap on open event streams, across every replica (app/stream-seats.server.ts). */
  streams: StreamSeats;
  logger: Logger;
  /** Outgoing mail (MAIL_URL): sign-up codes. */
  mailer: Mailer;
  /** Enqueues worker jobs (validations, backtests); null/absent where no queue is reachable (web-only without POSTGRES_URL). */
  jobs?: JobSender | null;
  /** The in-process worker's Prometheus text (embedded mode); absent in a web-only process (see /metrics). */
  metrics?: () => string | Promise<string>;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    app: AppContext;
    /** This response's Content-Security-Policy nonce (server/security-headers.ts): Remix's inline scripts carry it. */
    cspNonce?: string;
  }
}
