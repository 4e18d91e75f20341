// Sign-in sessions: a signed httpOnly cookie holding a server-side session id, and guards that throw.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { createCookie, redirect, type AppLoadContext } from "@remix-run/node";
import { createSession, deleteSession, getSessionUser, SESSION_TTL_MS } from "../db/store/queries/sessions";
import { requestHost } from "./request-host";

export type SessionUser = { id: string; email: string; name: string };

const COOKIE_NAME = "__session";

export function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
}

function sessionCookie(context: AppLoadContext) {
  return createCookie(COOKIE_NAME, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
    secrets: [context.app.config.sessionSecret],
  });
}

// Several loaders of one document request ask for the user: one store read per request.
const usersByRequest = new WeakMap<Request, Promise<SessionUser | null>>();

async function readSessionId(request: Request, context: AppLoadContext): Promise<string | null> {
  const value = await sessionCookie(context).parse(request.headers.get("Cookie"));
  return typeof value === "string" && value ? value : null;
}

export function getUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  let user = usersByRequest.get(request);
  if (!user) {
    user = readSessionId(request, context).then(async (id) =>
      id ? ((await getSessionUser(context.app.store.db, id)) ?? null) : null,
    );
    usersByRequest.set(request, user);
  }
  return user;
}

/** The id of the request's session when it is signed in: its event streams close when it ends. */
export async function getSignedInSessionId(
  request: Request,
  context: AppLoadContext,
): Promise<string | null> {
  return (await getUser(request, context)) ? readSessionId(request, context) : null;
}

export async function getUserId(request: Request, context: AppLoadContext): Promise<string | null> {
  return (await getUser(request, context))?.id ?? null;
}

/**
 * The signed-in user, or a thrown redirect to /login?redirectTo=<this page>. Non-GET requests are
 * also checked for a same-origin Origin (CSRF), so every authenticated action is covered.
 */
export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  assertSameOrigin(request);
  const user = await getUser(request, context);
  if (!user) {
    const url = new URL(request.url);
    const back = request.method === "GET" ? `${url.pathname}${url.search}` : url.pathname;
    throw redirect(`/login?${new URLSearchParams({ redirectTo: back })}`);
  }
  return user;
}

export async function requireUserId(request: Request, context: AppLoadContext): Promise<string> {
  return (await requireUser(request, context)).id;
}

/** For /login and /signup: a signed-in visitor goes to their subscriptions instead. */
export async function redirectIfSignedIn(request: Request, context: AppLoadContext) {
  if (await getUserId(request, context)) throw redirect("/subscriptions");
  return null;
}

/** Starts a session and redirects; the cookie is Secure when the request came over https. */
export async function createUserSession(opts: {
  request: Request;
  context: AppLoadContext;
  userId: string;
  redirectTo: string;
}) {
  const session = await createSession(opts.context.app.store.db, opts.userId);
  const cookie = await sessionCookie(opts.context).serialize(session.id, { secure: isHttps(opts.request) });
  return redirect(opts.redirectTo, { headers: { "Set-Cookie": cookie } });
}

export async function logout(request: Request, context: AppLoadContext) {
  const id = await readSessionId(request, context);
  if (id) {
    await deleteSession(context.app.store.db, id);
    await context.app.infra.bus
      .publish(CHANNELS.sessionEnded, { sessionId: id })
      .catch((error) => context.app.logger.warn({ err: error }, "announcing a logout failed"));
  }
  const cookie = await sessionCookie(context).serialize("", { maxAge: 0, secure: isHttps(request) });
  return redirect("/", { headers: { "Set-Cookie": cookie } });
}

/**
 * CSRF: the session cookie is SameSite=Lax (no cross-site POST carries it) and every state-changing
 * request must come from our own origin when the browser says where it came from.
 */
export function assertSameOrigin(request: Request) {
  if (request.method === "GET" || request.method === "HEAD") return;
  const source = request.headers.get("Origin") ?? request.headers.get("Referer");
  if (!source || source === "null") {
    if (source === "null") throw new Response("Cross-site request refused", { status: 403 });
    return;
  }
  let host: string;
  try {
    host = new URL(source).host;
  } catch {
    throw new Response("Cross-site request refused", { status: 403 });
  }
  if (host !== requestHost(request)) throw new Response("Cross-site request refused", { status: 403 });
}

const REDIRECT_BASE = "http://redirect.invalid";

/**
 * Only same-origin paths: `redirectTo` from a query string or form must not send the user to another site.
 * Refused (the fallback instead): anything not starting with one `/`, backslashes and control characters
 * (raw or percent-encoded, which some clients and proxies decode into `//host`), and whatever resolves to
 * another origin. What passes is returned normalised (path, query, hash).
 */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback = "/subscriptions",
): string {
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(to);
  } catch {
    return fallback;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(to + decoded) || /^\/[/\s]/.test(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(to, REDIRECT_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== REDIRECT_BASE) return fallback;
  return url.pathname + url.search + url.hash;
}
