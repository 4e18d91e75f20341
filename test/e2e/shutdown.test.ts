// `npm start` stops cleanly on SIGTERM: every part (HTTP, event streams, worker, queue, bus, store) closes and the process exits 0.
import { expect, it } from "vitest";
import { startApp } from "./harness";

it("the embedded start exits 0 on SIGTERM after stopping every part", async () => {
  const app = await startApp({ LOG_LEVEL: "info" });
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  expect(await app.stop()).toBe(0);
  expect(app.output()).toMatch(/"reason":"SIGTERM".*"msg":"shutting down"/);
  expect(app.output()).toMatch(/"msg":"worker stopped"/);
  expect(app.output()).not.toMatch(/failed to stop/);
}, 120_000);
