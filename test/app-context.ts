// Builds the AppContext a loader/action receives, as scripts/start.ts does, on a test store and in-process infra.
import { dirname } from "node:path";
import pino from "pino";
import type { AppLoadContext } from "@remix-run/node";
import type { AppContext } from "../app/context.server";
import { createEventHub } from "../app/event-hub.server";
import { createStreamSeats } from "../app/stream-seats.server";
import { createInfra } from "../db/infra/index.server";
import type { MailConfig } from "../db/platform/config.server";
import { createMailer } from "../db/platform/mailer.server";
import { createTestStore, type TestStore } from "./support/store";
import { testWorkerConfig } from "./support/worker/config";

export const TEST_ORIGIN = "http://candlecast.test";

export interface TestApp {
  store: TestStore;
  app: AppContext;
  context: AppLoadContext;
  close(): Promise<void>;
}

/**
 * `mail`: MAIL_URL as parsed (e.g. a test SMTP server's); unset, the log transport into the store's directory.
 * `store`: a store the caller owns (shared with worker processes); by default a new one, removed on close.
 */
export async function createTestApp(opts: { mail?: MailConfig; store?: TestStore } = {}): Promise<TestApp> {
  const store = opts.store ?? (await createTestStore());
  const config = testWorkerConfig(store.url, { sandbox: "none", workerConcurrency: 1 });
  const logger = pino({ level: "silent" });
  const mailer = createMailer(opts.mail ?? config.mail, { dataDir: dirname(store.file), logger });
  const infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  const events = await createEventHub({ bus: infra.bus, db: store.db, sweepMs: 100 });
  const streams = createStreamSeats({ seats: infra.seats, logger: { warn: () => {}, error: () => {} } });
  const app: AppContext = {
    store,
    infra,
    // The web app never runs strategies; "none" keeps the config honest about that in tests.
    config,
    health: async () => ({
      ok: true,
      store: { ok: true, detail: "test" },
      queue: { ok: true, detail: "test" },
      bus: { ok: true, detail: "test" },
    }),
    events,
    streams,
    logger,
    mailer,
  };
  return {
    store,
    app,
    context: { app },
    async close() {
      await streams.close();
      await events.close();
      await mailer.close();
      await infra.close();
      if (!opts.store) store.cleanup();
    },
  };
}

/** A same-origin request, as a browser form post sends it; `cookie` signs the request in. */
export function makeRequest(
  path: string,
  opts: {
    method?: string;
    form?: Record<string, string>;
    cookie?: string | null;
    headers?: Record<string, string>;
  } = {},
): Request {
  const method = opts.method ?? (opts.form ? "POST" : "GET");
  const headers = new Headers(opts.headers);
  if (opts.cookie) headers.set("Cookie", opts.cookie);
  if (method !== "GET" && !headers.has("Origin")) headers.set("Origin", TEST_ORIGIN);
  return new Request(`${TEST_ORIGIN}${path}`, {
    method,
    headers,
    body: opts.form ? new URLSearchParams(opts.form) : undefined,
  });
}

/** The `name=value` pair of a Set-Cookie header, to send back as a Cookie header. */
export function cookieFrom(response: Response): string {
  const set = response.headers.get("Set-Cookie");
  if (!set) throw new Error("response sets no cookie");
  return set.split(";")[0];
}

/** A Cookie header for a new session of userId, made by the app's own session code. */
export async function signInAs(t: TestApp, userId: string): Promise<string> {
  const { createUserSession } = await import("../app/session.server");
  const response = await createUserSession({
    request: makeRequest("/login"),
    context: t.context,
    userId,
    redirectTo: "/",
  });
  return cookieFrom(response);
}

/** Runs a loader/action and returns its Response, whether returned or thrown (guards throw). */
export async function respond(fn: () => Promise<unknown> | unknown): Promise<Response> {
  try {
    const result = await fn();
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

type Route = { loader?: (a: never) => unknown; action?: (a: never) => unknown };

/** A route's loader on GET `path` as the user of `cookie`, as a Response. */
export function loadRoute(
  t: TestApp,
  route: Route,
  path: string,
  cookie: string,
  params: Record<string, string> = {},
) {
  return respond(() =>
    route.loader!({ request: makeRequest(path, { cookie }), context: t.context, params } as never),
  );
}

/** A route's action on a form POST to `path` as the user of `cookie`, as a Response. */
export function postRoute(
  t: TestApp,
  route: Route,
  path: string,
  cookie: string,
  form: Record<string, string>,
  params: Record<string, string> = {},
) {
  return respond(() =>
    route.action!({ request: makeRequest(path, { form, cookie }), context: t.context, params } as never),
  );
}
