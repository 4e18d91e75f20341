// Publish: the committed outbox events on the bus, in messages of at most 1,000 (the bus is a doorbell, ADR 090).
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { type NewEvent, type OutboxEvent } from "../../db/contracts/events";
import type { Bus } from "../../db/infra/bus";
import type { Logger } from "../../db/platform/logger.server";

const MAX_EVENTS_PER_MESSAGE = 1_000;

export async function publishEvents(
  bus: Bus,
  log: Logger,
  events: NewEvent[],
  seqs: { first: number; last: number } | null,
  createdAt: number,
): Promise<void> {
  if (!seqs || events.length === 0) return;
  const outbox: OutboxEvent[] = events.map((ev, i) => ({
    seq: seqs.first + i,
    userId: ev.userId,
    type: ev.type,
    payload: ev.payload,
    createdAt,
  }));
  try {
    for (let i = 0; i < outbox.length; i += MAX_EVENTS_PER_MESSAGE) {
      await bus.publish(CHANNELS.outbox, { events: outbox.slice(i, i + MAX_EVENTS_PER_MESSAGE) });
    }
  } catch (error) {
    // The events are committed: a browser gets them by replay from its Last-Event-ID.
    log.warn({ err: error }, "could not publish events on the bus; streams will replay them from the outbox");
  }
}
