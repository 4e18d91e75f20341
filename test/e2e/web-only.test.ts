// `npm run web` is a web replica: it serves the store without ever starting Python or the sandbox
// (seeding belongs to the embedded start and to `npm run db:seed`).
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, type RunningApp } from "./harness";

let app: RunningApp;
beforeAll(async () => {
  // An interpreter that does not exist: any sandboxed run (a seed's validation) would fail the start.
  app = await startApp({ PYTHON: "/nonexistent/python3" }, ["--web"]);
}, 90_000);
afterAll(() => app?.stop());

it("starts and serves on an empty store without an interpreter, seeding nothing", async () => {
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  const page = await fetch(`${app.url}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).not.toContain("Bollinger Breakout");
  expect(app.output()).not.toMatch(/seeded example strategies/);
});
