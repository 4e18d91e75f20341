// Live updates in the browser: one EventSource on /events, its connection state, and the indicator that shows it.
import { useEffect, useRef, useState } from "react";
import { EVENT_TYPES as OUTBOX_EVENT_TYPES } from "../../db/contracts/event-types";

export type LiveState = "connecting" | "live" | "reconnecting";
export type LiveEvent = { seq: number; type: string; payload: unknown; createdAt?: number };

const EVENT_TYPES = [...OUTBOX_EVENT_TYPES, "resync"];
const MANUAL_RETRY_MS = 3000;

/**
 * Subscribes to the user's event stream from `since` (the outbox position the page's data was read
 * at, so nothing between the loader and the connection is lost). The browser reconnects on its own
 * with Last-Event-ID; when it gives up (CLOSED) we reopen with ?lastEventId= the last id seen.
 */
export function useLiveEvents(since: number | null, onEvent: (event: LiveEvent) => void): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    let lastId = since;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const open = () => {
      source = new EventSource(lastId === null ? "/events" : `/events?lastEventId=${lastId}`);
      source.onopen = () => setState("live");
      source.onerror = () => {
        setState("reconnecting");
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          retry = setTimeout(open, MANUAL_RETRY_MS);
        }
      };
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (message) => {
          const m = message as MessageEvent<string>;
          if (m.lastEventId) lastId = Number(m.lastEventId);
          let data: Partial<LiveEvent> = {};
          try {
            data = JSON.parse(m.data);
          } catch {
            return;
          }
          handler.current({
            seq: Number(m.lastEventId) || 0,
            type,
            payload: data.payload ?? data,
            createdAt: data.createdAt,
          });
        });
      }
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
    // The stream is opened once per page: `since` only matters for the first connection.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return state;
}

export function LiveIndicator({ state }: { state: LiveState }) {
  const live = state === "live";
  return (
    <span
      role="status"
      aria-live="polite"
      data-live-state={state}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset ${
        live
          ? "bg-emerald-50 text-emerald-700 ring-emerald-600/20"
          : "bg-amber-50 text-amber-800 ring-amber-600/20"
      }`}
    >
      <span
        aria-hidden
        className={`h-2 w-2 rounded-full ${live ? "animate-pulse bg-emerald-500" : "bg-amber-500"}`}
      />
      {live ? "Live" : state === "connecting" ? "Connecting…" : "Reconnecting…"}
    </span>
  );
}
