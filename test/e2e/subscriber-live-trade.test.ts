// Journey with the real worker: simulated candles close every second (TIME_SCALE=3600 on a 1h strategy) and
// the subscription page shows the new signal and trade rows live, without a reload.
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot, startApp, type RunningApp } from "./harness";
import { signUp, subscribe } from "./subscriber-steps";

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({ TIME_SCALE: "3600" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

it("a subscriber sees executions and trades arrive live after simulated candle closes", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signUp(page, app, "Live");
  await subscribe(page, app.url, "sma-crossover");
  await page.getByText("Live", { exact: true }).waitFor();
  // Survives only if the page is never reloaded.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  await page.locator("[data-execution-id]").first().waitFor({ timeout: 30_000 });
  await page.locator("[data-trade-status]").first().waitFor({ timeout: 90_000 });
  await expect(page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).resolves.toBe(
    true,
  );
  await screenshot(page, "subscriber-live-trade");
}, 150_000);
