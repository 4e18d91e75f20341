// Outbox event types: written with the data they describe, published on the bus (CHANNELS.outbox), streamed by SSE.
import { z } from "zod";
import { EVENT_TYPES, type EventType } from "./event-types";

export { EVENT_TYPES, type EventType } from "./event-types";

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

export const sessionEndedSchema = z.object({ sessionId: z.string() });

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

/** A trade as events carry it to the browser. */
export const tradeSummarySchema = z.object({
  id: z.string(),
  symbol: z.string(),
  side: z.enum(["LONG", "SHORT"]),
  quantity: z.number(),
  entryPrice: z.number(),
  stopLoss: z.number().nullable(),
  takeProfit: z.number().nullable(),
});

export const tradeCloseSummarySchema = z.object({
  tradeId: z.string(),
  exitPrice: z.number(),
  pnl: z.number(),
  exitReason: z.string(),
});

/**
 * Payload of an "execution" event: what one execution did for one subscription (one event per
 * subscriber per execution). SL/TP exits found at this close are in `closed` too.
 */
export const executionEventSchema = z.object({
  executionId: z.string(),
  strategyId: z.string(),
  subscriptionId: z.string(),
  symbol: z.string(),
  resolution: z.string(),
  closeTime: z.number(),
  status: z.enum(["COMPLETED", "FAILED", "SKIPPED"]),
  signal: z.string().nullable(),
  opened: tradeSummarySchema.nullable(),
  closed: z.array(tradeCloseSummarySchema),
  skipped: z.object({ reason: z.string(), detail: z.string() }).nullable(),
});
export type ExecutionEvent = z.infer<typeof executionEventSchema>;

/**
 * Payload of a "trade.filled" event: what the exchange did with a trade's order, after the commit that recorded
 * the trade at the reference price (entry: filled or rejected; exit: filled, with the P&L it changed).
 */
export const tradeFilledSchema = z.object({
  subscriptionId: z.string(),
  tradeId: z.string(),
  leg: z.enum(["entry", "exit"]),
  status: z.enum(["filled", "rejected"]),
  price: z.number().nullable(),
  fee: z.number().nullable(),
  pnl: z.number().nullable(),
  reason: z.string().nullable(),
});
export type TradeFilled = z.infer<typeof tradeFilledSchema>;

/**
 * Payload of a "trade.closed" event: the kill switch closed a trade outside any candle (ADR 148). A paper
 * trade's close is final; an exchange trade's is at the reference price until its exit's "trade.filled".
 */
export const tradeClosedSchema = tradeCloseSummarySchema.extend({ subscriptionId: z.string() });
export type TradeClosed = z.infer<typeof tradeClosedSchema>;

/** Payload of a "backtest.progress" event (to the user who started the backtest). */
export const backtestProgressSchema = z.object({
  backtestId: z.string(),
  status: z.enum(["queued", "running", "completed", "failed"]),
  progress: z.number().min(0).max(1),
  message: z.string().optional(),
});
