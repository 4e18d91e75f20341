// The outbox event types, apart from their zod schemas (db/contracts/events.ts) so the browser can list them without zod.
export const EVENT_TYPES = [
  "execution",
  "trade.filled",
  "trade.closed",
  "subscription.changed",
  "backtest.progress",
  "validation.result",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
