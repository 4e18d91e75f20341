// Every pg-boss queue (name, policy, cron) and every bus channel: the one registry the web app and the worker share.

/** pg-boss queues. Job payloads: worker/candle-jobs.ts (candles), ./jobs.ts (author jobs). */
export const QUEUES = {
  /** One job per (strategy, symbol, resolution, close time). */
  candle: "candle",
  registryRebuild: "registry-rebuild",
  janitor: "janitor",
  catchUp: "catch-up",
  /** Decides the exchange orders their sender left behind (./order-states.ts). */
  ordersReconcile: "orders-reconcile",
  /** Compares exchange accounts' balances with their open trades (ADR 147). */
  positionsCheck: "positions-check",
  /** An author's validation: one short sandboxed run, its result a "validation.result" event. */
  validateStrategy: "strategy-validate",
  /** A queued backtest row. */
  runBacktest: "backtest-run",
  /** The kill switch: close every open trade of a subscription or a broker account at market (ADR 148). */
  positionsCloseAll: "positions-close-all",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** What pg-boss does with a queue's jobs: retries (delay in s), expiry of an active job, retention. */
export interface QueuePolicy {
  retryLimit: number;
  retryDelay?: number;
  expireInSeconds: number;
  retentionMinutes?: number;
}

const PERIODIC_POLICY: QueuePolicy = { retryLimit: 1, expireInSeconds: 300, retentionMinutes: 60 };

export const QUEUE_POLICIES: Record<QueueName, QueuePolicy> = {
  // The handler is idempotent: a job active past its expiry (a dead worker) is retried, 2 s × 5 (ADR 043).
  [QUEUES.candle]: { retryLimit: 5, retryDelay: 2, expireInSeconds: 120, retentionMinutes: 60 },
  [QUEUES.registryRebuild]: PERIODIC_POLICY,
  [QUEUES.janitor]: PERIODIC_POLICY,
  [QUEUES.catchUp]: PERIODIC_POLICY,
  [QUEUES.ordersReconcile]: PERIODIC_POLICY,
  [QUEUES.positionsCheck]: PERIODIC_POLICY,
  // Interactive: no retry, the author asks again.
  [QUEUES.validateStrategy]: { retryLimit: 0, expireInSeconds: 60, retentionMinutes: 60 },
  [QUEUES.runBacktest]: { retryLimit: 1, retryDelay: 5, expireInSeconds: 30 * 60 },
  // Idempotent (a closed trade is not closed again); retried while another worker holds the account or an
  // execution that read the subscriptions before the pause still runs (ADR 148).
  [QUEUES.positionsCloseAll]: {
    retryLimit: 20,
    retryDelay: 3,
    expireInSeconds: 300,
    retentionMinutes: 24 * 60,
  },
};

/** The worker's author jobs (one user's jobs of a kind at a time, ADR 177). */
export const AUTHOR_QUEUES = [QUEUES.validateStrategy, QUEUES.runBacktest] as const;
export type AuthorQueueName = (typeof AUTHOR_QUEUES)[number];

/** The queues the web app sends to: the author jobs and the kill switch; the others only the worker uses. */
export const WEB_SENT_QUEUES = [...AUTHOR_QUEUES, QUEUES.positionsCloseAll] as const;
export type WebSentQueueName = (typeof WEB_SENT_QUEUES)[number];

/** pg-boss cron (minute granularity suits these; never candle jobs: docs/decisions/040). */
export const PERIODIC = [
  { queue: QUEUES.registryRebuild, cron: "*/5 * * * *" },
  { queue: QUEUES.janitor, cron: "* * * * *" },
  { queue: QUEUES.catchUp, cron: "* * * * *" },
  { queue: QUEUES.ordersReconcile, cron: "* * * * *" },
  { queue: QUEUES.positionsCheck, cron: "* * * * *" },
] as const;

/** Bus channels (each Redis channel is prefixed with REDIS_KEY_PREFIX). */
export const CHANNELS = {
  /** Freshly committed outbox events, to every web replica (ADR 090). */
  outbox: "outbox",
  /** The web app announces a subscription change to the workers. */
  subscriptionChanged: "subscription-changed",
  /** The web app announces a strategy change (new version, visibility). */
  strategyChanged: "strategy-changed",
  /** A logout tells every web replica to close that session's event streams. */
  sessionEnded: "session-ended",
  /** `{ queue }`: jobs were just queued, so work loops in every process fetch now instead of at their next poll. */
  jobsQueued: "jobs-queued",
} as const;
