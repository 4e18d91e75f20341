// The test app behind the real Remix route tree (the built server), with author jobs run in-process by the real handlers.
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { newId } from "../db/platform/ids";
import type { JobSender } from "../db/contracts/jobs";
import { QUEUES } from "../db/contracts/queues-and-channels";
import { runBacktest } from "../worker/jobs/run-backtest";
import { validateStrategy } from "../worker/jobs/validate-strategy";
import { createStrategyRunner } from "../worker/runtime";
import { BUILD_FILE } from "../scripts/build-if-needed";
import { createTestApp, type TestApp } from "./app-context";
import type { TestStore } from "./support/store";

export interface ApiHarness {
  t: TestApp;
  call(
    method: string,
    path: string,
    opts?: {
      token?: string | null;
      body?: unknown;
      /** Sent as is, as application/json unless `headers` name another Content-Type; a stream goes chunked. */
      raw?: string | ReadableStream<Uint8Array>;
      headers?: Record<string, string>;
    },
  ): Promise<ApiAnswer>;
}
export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests check bodies against the documented schemas
  body: any;
  headers: Headers;
}

/** The test app behind the real route tree, with worker jobs run in-process by the real handlers and sandbox. */
export async function createApiHarness(
  opts: { runJobs?: boolean; store?: TestStore } = {},
): Promise<ApiHarness> {
  const t = await createTestApp({ store: opts.store });
  const runner = createStrategyRunner({ maxConcurrent: 4 });
  const deps = { store: t.store, bus: t.app.infra.bus, runner };
  const running = new Set<Promise<unknown>>();
  const jobs: JobSender = {
    async send(name, payload) {
      // The kill switch's job needs an exchange worker: its tests queue it on a real pg-boss instead.
      if (opts.runJobs === false || name === QUEUES.positionsCloseAll) return newId();
      const job =
        name === QUEUES.validateStrategy ? validateStrategy(deps, payload) : runBacktest(deps, payload);
      running.add(job);
      void job.finally(() => running.delete(job));
      return newId();
    },
  };
  t.app.jobs = jobs;
  const build = (await import(pathToFileURL(BUILD_FILE).href)) as ServerBuild;
  const handle = createRequestHandler(build, "test");
  const close = t.close;
  t.close = async () => {
    await Promise.allSettled([...running]);
    await close();
  };
  return {
    t,
    async call(method, path, opts = {}) {
      const headers = new Headers(opts.headers);
      if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
      let body: string | ReadableStream<Uint8Array> | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
      const request = new Request(`http://candlecast.test${path}`, { method, headers, body, duplex: "half" });
      const response = await handle(request, { app: t.app });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the assertions below say so
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
}
