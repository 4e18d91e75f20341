// GET /events: the signed-in user's server-sent event stream (replay from Last-Event-ID, then live).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { lastEventIdOf, openEventStream } from "~/event-stream.server";
import { getSignedInSessionId, getUserId } from "~/session.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = await getUserId(request, context);
  // 401, not a redirect: EventSource cannot follow a login page, and it stops retrying on a 4xx.
  if (!userId)
    return new Response("Sign in to receive live updates", {
      status: 401,
      headers: { "Cache-Control": "no-store" },
    });
  const cap = context.app.config.limits.eventStreams;
  const sessionId = await getSignedInSessionId(request, context);
  // A place among the user's streams on every replica, checked and taken in one step (ADR 158).
  const free = await context.app.streams.take(userId, cap);
  if (!free)
    return new Response(
      `Too many live update streams: at most ${cap} per account are open at once. Close another tab or window of Candlecast.`,
      { status: 429, headers: { "Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8" } },
    );
  return openEventStream({
    db: context.app.store.db,
    hub: context.app.events,
    userId,
    sessionId,
    lastEventId: lastEventIdOf(request),
    signal: request.signal,
    onClose: free,
  });
}
