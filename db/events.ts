// Outbox event types: written with the data they describe, published on the bus, streamed by SSE.
import { z } from "zod";

/** The bus channel that carries freshly committed outbox events to every web replica. */
export const OUTBOX_CHANNEL = "outbox";
/** The bus channel on which the web app announces subscription changes to the workers. */
export const SUBSCRIPTION_CHANGED_CHANNEL = "subscription-changed";

export const EVENT_TYPES = [
  "execution",
  "trade.closed",
  "subscription.changed",
  "backtest.progress",
  "validation.result",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const outboxEventSchema = z.object({
  seq: z.number().int(),
  userId: z.string().nullable(),
  type: z.enum(EVENT_TYPES),
  payload: z.unknown(),
  createdAt: z.number().int(),
});
export type OutboxEvent = z.infer<typeof outboxEventSchema>;

export const outboxMessageSchema = z.object({ events: z.array(outboxEventSchema) });
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;

export const subscriptionChangedSchema = z.object({
  subscriptionId: z.string(),
  strategyId: z.string(),
  status: z.string(),
});
export type SubscriptionChanged = z.infer<typeof subscriptionChangedSchema>;

/** A new event to append to the outbox. */
export interface NewEvent {
  userId: string | null;
  type: EventType;
  payload: unknown;
}
