// One per-process fan-out of committed outbox events (from the bus) to the SSE streams of their user.
import type { Bus, Unsubscribe } from "../db/infra/bus";
import type { InfraLogger } from "../db/infra/logger";
import { OUTBOX_CHANNEL, outboxMessageSchema, type OutboxEvent } from "../db/events";

export type EventListener = (event: OutboxEvent) => void;

export interface EventHub {
  /** Starts delivering this user's events to listener; returns the disconnect function. */
  connect(userId: string, listener: EventListener): () => void;
  connectedStreams(): number;
  close(): Promise<void>;
}

/** Subscribes ONCE to the outbox channel, whatever the number of open streams. */
export async function createEventHub(bus: Bus, logger?: InfraLogger): Promise<EventHub> {
  const byUser = new Map<string, Set<EventListener>>();
  let streams = 0;

  const unsubscribe: Unsubscribe = await bus.subscribe(OUTBOX_CHANNEL, (message) => {
    const parsed = outboxMessageSchema.safeParse(message);
    if (!parsed.success) {
      logger?.warn(
        { issues: parsed.error.issues.slice(0, 3) },
        "event hub: dropped a malformed outbox message",
      );
      return;
    }
    for (const event of parsed.data.events) {
      if (!event.userId) continue;
      for (const listener of byUser.get(event.userId) ?? []) {
        try {
          listener(event);
        } catch (error) {
          logger?.error({ error }, "event hub: a stream listener threw");
        }
      }
    }
  });

  return {
    connect(userId, listener) {
      let listeners = byUser.get(userId);
      if (!listeners) byUser.set(userId, (listeners = new Set()));
      // A wrapper per connection: the same function connected twice is two streams.
      const entry: EventListener = (e) => listener(e);
      listeners.add(entry);
      streams += 1;
      let connected = true;
      return () => {
        if (!connected) return;
        connected = false;
        streams -= 1;
        listeners.delete(entry);
        if (listeners.size === 0) byUser.delete(userId);
      };
    },
    connectedStreams: () => streams,
    async close() {
      byUser.clear();
      await unsubscribe();
    },
  };
}
