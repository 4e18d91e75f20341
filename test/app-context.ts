// Builds the AppContext a loader/action receives, as scripts/start.ts does, on a test store and in-process infra.
import pino from "pino";
import type { AppLoadContext } from "@remix-run/node";
import type { AppContext } from "../app/context.server";
import { createEventHub } from "../app/event-hub.server";
import type { Config } from "../db/config.server";
import { createInfra } from "../db/infra/index.server";
import { createTestStore, type TestStore } from "../db/testing";

export const TEST_ORIGIN = "http://candlecast.test";

export function testConfig(store: { url: string }): Config {
  return {
    dataDir: "/tmp/candlecast-test",
    databaseUrl: store.url,
    redisKeyPrefix: "candlecast-test:",
    port: 0,
    host: "127.0.0.1",
    python: "/usr/bin/python3",
    sandbox: "none",
    sessionSecret: "test-session-secret-at-least-32-characters-long",
    encryptionKey: btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => i + 1))),
    timeScale: 1,
    workerConcurrency: 1,
    logLevel: "silent",
    nodeEnv: "test",
  };
}

export interface TestApp {
  store: TestStore;
  app: AppContext;
  context: AppLoadContext;
  close(): Promise<void>;
}

export async function createTestApp(): Promise<TestApp> {
  const store = await createTestStore();
  const infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  const events = await createEventHub(infra.bus);
  const app: AppContext = {
    store,
    infra,
    config: testConfig(store),
    health: async () => ({
      ok: true,
      store: { ok: true, detail: "test" },
      queue: { ok: true, detail: "test" },
      bus: { ok: true, detail: "test" },
    }),
    events,
    logger: pino({ level: "silent" }),
  };
  return {
    store,
    app,
    context: { app },
    async close() {
      await events.close();
      await infra.close();
      store.cleanup();
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
