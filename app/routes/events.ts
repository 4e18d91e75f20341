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
  return openEventStream({
    db: context.app.store.db,
    hub: context.app.events,
    userId,
    sessionId: await getSignedInSessionId(request, context),
    lastEventId: lastEventIdOf(request),
    signal: request.signal,
  });
}
