// One per-process fan-out of committed outbox events to the SSE streams of their user, in sequence order.
//
// The bus is a doorbell, the outbox is the truth (ADR 046): workers publish after their own commits,
// so bus order is not sequence order, and a worker killed between commit and publish never rings.
// The store has one writer at a time, so once seq N is visible every seq below it is too: when a
// message does not continue the hub's cursor, the hub reads the outbox from its cursor instead,
// and a periodic sweep picks up events nobody announced.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import type { Db } from "../db/store/client";
import type { Bus, Unsubscribe } from "../db/infra/bus";
import type { InfraLogger } from "../db/infra/logger";
import { outboxMessageSchema, sessionEndedSchema, type OutboxEvent } from "../db/contracts/events";
import { latestEventSeq, listEventsAfter } from "../db/store/queries/event-replay";

export type EventListener = (event: OutboxEvent) => void;

export interface EventHub {
  /** Starts delivering this user's events to listener; returns the disconnect function. */
  connect(
    userId: string,
    listener: EventListener,
    session?: { sessionId: string | null; onSessionEnd: () => void },
  ): () => void;
  connectedStreams(): number;
  close(): Promise<void>;
}

/** How often the hub reads the outbox for events that were committed but never announced. */
export const OUTBOX_SWEEP_MS = 2_000;
const READ_BATCH = 1_000;

/** Subscribes ONCE to the outbox channel, whatever the number of open streams. */
export async function createEventHub(opts: {
  bus: Bus;
  db: Db;
  logger?: InfraLogger;
  sweepMs?: number;
}): Promise<EventHub> {
  const { bus, db, logger } = opts;
  const byUser = new Map<string, Set<EventListener>>();
  const endersBySession = new Map<string, Set<() => void>>();
  let streams = 0;
  let cursor = await latestEventSeq(db);
  let closed = false;
  // Deliveries and outbox reads run one after another, so listeners see events in sequence order.
  let queue: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void> | void) => {
    queue = queue.then(step).catch((error) => logger?.error({ error }, "event hub: delivery failed"));
    return queue;
  };

  const deliver = (event: OutboxEvent) => {
    cursor = event.seq;
    if (!event.userId) return;
    for (const listener of byUser.get(event.userId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        logger?.error({ error }, "event hub: a stream listener threw");
      }
    }
  };

  const readOutbox = async () => {
    for (;;) {
      const rows = await listEventsAfter(db, cursor, READ_BATCH);
      for (const row of rows) deliver(row);
      if (rows.length < READ_BATCH) return;
    }
  };

  const onMessage = (events: OutboxEvent[]) =>
    serially(async () => {
      const fresh = events.filter((e) => e.seq > cursor).sort((a, b) => a.seq - b.seq);
      if (fresh.length === 0) return;
      const continuesCursor = fresh.every((e, i) => e.seq === cursor + 1 + i);
      if (continuesCursor) fresh.forEach(deliver);
      else await readOutbox();
    });

  const unsubscribe: Unsubscribe = await bus.subscribe(CHANNELS.outbox, (message) => {
    const parsed = outboxMessageSchema.safeParse(message);
    if (!parsed.success) {
      logger?.warn(
        { issues: parsed.error.issues.slice(0, 3) },
        "event hub: dropped a malformed outbox message",
      );
      return;
    }
    void onMessage(parsed.data.events);
  });
  const unsubscribeSessions: Unsubscribe = await bus.subscribe(CHANNELS.sessionEnded, (message) => {
    const parsed = sessionEndedSchema.safeParse(message);
    if (!parsed.success) return;
    for (const end of [...(endersBySession.get(parsed.data.sessionId) ?? [])]) end();
  });
  const sweep = setInterval(() => {
    if (!closed) void serially(readOutbox);
  }, opts.sweepMs ?? OUTBOX_SWEEP_MS);
  sweep.unref?.();

  return {
    connect(userId, listener, session) {
      let listeners = byUser.get(userId);
      if (!listeners) byUser.set(userId, (listeners = new Set()));
      // A wrapper per connection: the same function connected twice is two streams.
      const entry: EventListener = (e) => listener(e);
      listeners.add(entry);
      streams += 1;
      const sessionId = session?.sessionId ?? null;
      const onEnd = session?.onSessionEnd;
      if (sessionId && onEnd) {
        let enders = endersBySession.get(sessionId);
        if (!enders) endersBySession.set(sessionId, (enders = new Set()));
        enders.add(onEnd);
      }
      let connected = true;
      return () => {
        if (!connected) return;
        connected = false;
        streams -= 1;
        listeners.delete(entry);
        if (listeners.size === 0) byUser.delete(userId);
        if (sessionId && onEnd) {
          const enders = endersBySession.get(sessionId);
          enders?.delete(onEnd);
          if (enders?.size === 0) endersBySession.delete(sessionId);
        }
      };
    },
    connectedStreams: () => streams,
    async close() {
      closed = true;
      clearInterval(sweep);
      byUser.clear();
      endersBySession.clear();
      await unsubscribe();
      await unsubscribeSessions();
      await queue;
    },
  };
}
