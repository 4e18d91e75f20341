// An unexpected server error renders the 500 page with an error id, and the same id is in the logs.
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import pino from "pino";
import { BUILD_FILE } from "../scripts/build-if-needed";
import { insertUser } from "../test/support/store";
import { createTestApp, makeRequest, signInAs, type TestApp } from "../test/app-context";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

it("shows the logged error id on the 500 page", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "error" }, { write: (line: string) => void lines.push(line) });
  const build = (await import(pathToFileURL(BUILD_FILE).href)) as ServerBuild;
  const handle = createRequestHandler(build, "production");
  // A store that fails every query: the root loader's session read throws an unexpected error.
  const broken = {
    ...t.app,
    logger,
    store: {
      ...t.app.store,
      db: new Proxy(t.app.store.db, {
        get: () => {
          throw new Error("store is down");
        },
      }),
    },
  };
  const cookie = await signInAs(t, (await insertUser(t.store)).id);
  const res = await handle(makeRequest("/login", { cookie }), { app: broken });
  expect(res.status).toBe(500);
  const html = await res.text();
  const shown = /data-error-id="([0-9a-f-]{36})"/.exec(html)?.[1];
  expect(shown).toBeDefined();
  expect(html).toContain("Something went wrong");
  expect(html).not.toContain("store is down");
  const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "unhandled error");
  expect(logged).toMatchObject({
    errorId: shown,
    url: "http://candlecast.test/login",
    err: { message: "store is down" },
  });
});
