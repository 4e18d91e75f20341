import { launchBrowser, screenshot, startApp, type RunningApp } from "./harness";

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

describe("embedded start", () => {
  it("answers /healthz with the state of the store, the queue and the bus", async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, store: { ok: true }, queue: { ok: true }, bus: { ok: true } });
    expect(body.queue.detail).toContain("pglite");
  });

  it("serves the marketplace with the seeded example strategies in Chromium", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(app.url);
      await page.getByRole("heading", { name: "Marketplace" }).waitFor();
      await expect(page.getByRole("link", { name: "SMA Crossover" }).count()).resolves.toBeGreaterThan(0);
      await screenshot(page, "smoke-marketplace");
    } finally {
      await browser.close();
    }
  });
});
