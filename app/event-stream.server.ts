// The SSE stream of one signed-in user: replay from Last-Event-ID out of the outbox, then live events from the hub.
import type { Db } from "../db/store/client";
import type { OutboxEvent } from "../db/contracts/events";
import { listUserEventsAfter, outboxBounds, toOutboxEvent } from "../db/store/queries/event-replay";
import type { EventHub } from "./event-hub.server";

export const HEARTBEAT_MS = 15_000;
/** More missed events than this and the page is better off reloading its data. */
export const MAX_REPLAY = 1000;

const encoder = new TextEncoder();

export function formatEvent(e: Pick<OutboxEvent, "seq" | "type" | "payload" | "createdAt">): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify({ seq: e.seq, type: e.type, payload: e.payload, createdAt: e.createdAt })}\n\n`;
}

/** Last-Event-ID from the header (EventSource's own reconnect) or ?lastEventId= (a page's manual reconnect). */
export function lastEventIdOf(request: Request): number | null {
  const raw = request.headers.get("Last-Event-ID") ?? new URL(request.url).searchParams.get("lastEventId");
  if (raw === null || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

export function openEventStream(opts: {
  db: Db;
  hub: EventHub;
  userId: string;
  /** The stream closes when this session ends (logout on any replica). */
  sessionId?: string | null;
  lastEventId: number | null;
  signal: AbortSignal;
  heartbeatMs?: number;
  /** Called once when the stream ends, however it ends. */
  onClose?: () => void;
}): Response {
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      let lastSent = opts.lastEventId ?? 0;
      const write = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      const send = (e: OutboxEvent) => {
        if (e.seq <= lastSent) return;
        lastSent = e.seq;
        write(formatEvent(e));
      };
      // Subscribe BEFORE reading the outbox and buffer: an event committed during the replay query
      // arrives here and is sent once, after the replay, in order.
      let buffer: OutboxEvent[] | null = [];
      const disconnect = opts.hub.connect(opts.userId, (e) => (buffer ? buffer.push(e) : send(e)), {
        sessionId: opts.sessionId ?? null,
        onSessionEnd: () => close(),
      });
      const heartbeat = setInterval(() => write(": ping\n\n"), opts.heartbeatMs ?? HEARTBEAT_MS);
      const close = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        disconnect();
        opts.onClose?.();
        opts.signal.removeEventListener("abort", close);
        try {
          controller.close();
        } catch {
          // already closed by the consumer
        }
      };
      cleanup = close;
      if (opts.signal.aborted) return close();
      opts.signal.addEventListener("abort", close);

      write("retry: 2000\n: connected\n\n");
      try {
        if (opts.lastEventId !== null) {
          const resyncedTo = await replay(opts.db, opts.userId, opts.lastEventId, write, send);
          if (resyncedTo !== null) lastSent = Math.max(lastSent, resyncedTo);
        }
      } catch {
        // Going live now would move the browser's Last-Event-ID past what the replay missed: end the
        // stream instead, and the browser reconnects with the same id after `retry`, replaying then.
        return close();
      }
      const pending = buffer;
      buffer = null;
      for (const e of pending.sort((a, b) => a.seq - b.seq)) send(e);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}

async function replay(
  db: Db,
  userId: string,
  after: number,
  write: (text: string) => void,
  send: (e: OutboxEvent) => void,
): Promise<number | null> {
  const { oldest, latest } = await outboxBounds(db);
  const pruned = oldest !== null && after + 1 < oldest;
  const rows = pruned ? [] : await listUserEventsAfter(db, userId, after, MAX_REPLAY + 1);
  if (pruned || rows.length > MAX_REPLAY) {
    // The page reloads its data; the id moves the browser's Last-Event-ID past what the reload covers.
    const id = latest !== null ? `id: ${latest}\n` : "";
    write(`${id}event: resync\ndata: ${JSON.stringify({ reason: pruned ? "retention" : "too_many" })}\n\n`);
    return latest;
  }
  for (const row of rows) send(toOutboxEvent(row));
  return null;
}
