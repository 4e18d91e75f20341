// The kill switch in the browser, on the real embedded app (web + worker, TIME_SCALE=3600 on a 1h strategy: a
// close every second): a subscriber whose always-buy strategy holds open paper trades presses "Close all
// positions", confirms in the dialog by keyboard, and sees every trade closed by the kill switch, live.
import type { Browser } from "playwright-core";
import { openStore } from "../../db/store/client";
import { insertStrategy, insertUser } from "../support/store";
import { BUY_CODE } from "../support/worker/strategies";
import { launchBrowser, screenshot, startApp, type RunningApp } from "./harness";
import { signUp, subscribe } from "./subscriber-steps";

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({ TIME_SCALE: "3600" });
  browser = await launchBrowser();
  const store = await openStore({ url: app.databaseUrl });
  const author = await insertUser(store, "author");
  await insertStrategy(store, author.id, { code: BUY_CODE, slug: "always-buy", resolution: "1h" });
  store.close();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

it("Close all positions: a confirmation saying what happens, then every trade closed by the kill switch", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signUp(page, app, "Kill");
  await subscribe(page, app.url, "always-buy");
  await page.locator('[data-trade-status="open"]').first().waitFor({ timeout: 90_000 });

  const trigger = page.getByRole("link", { name: "Close all positions" });
  await trigger.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("alertdialog", { name: "Close all positions?" });
  await dialog.waitFor();
  await expect(dialog.textContent()).resolves.toMatch(/\d+ open trades? closed at the latest price/);
  await expect(dialog.textContent()).resolves.toMatch(/1 subscription paused/);
  await screenshot(page, "kill-switch-confirm");
  // Escape keeps everything as it was.
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  await expect(page.getByText("Paused", { exact: true }).count()).resolves.toBe(0);

  await trigger.focus();
  await page.keyboard.press("Enter");
  const confirm = dialog.getByRole("button", { name: "Yes, close all positions" });
  await confirm.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "Closing" }).waitFor();

  await expect.poll(() => page.locator('[data-trade-status="open"]').count(), { timeout: 60_000 }).toBe(0);
  await expect
    .poll(() => page.locator('[data-trade-status="closed"]', { hasText: "Kill switch" }).count())
    .toBeGreaterThan(0);
  await page.getByText("Paused", { exact: true }).first().waitFor();
  await screenshot(page, "kill-switch-closed");

  // Without JavaScript the same confirmation is a page of its own.
  const noScript = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const plain = await noScript.newPage();
  await plain.goto(`${page.url()}/close-all`);
  await plain.getByRole("heading", { name: "Close all positions of Strategy always-buy?" }).waitFor();
  await expect(plain.textContent("body")).resolves.toMatch(/0 open trades closed at the latest price/);
  await screenshot(plain, "kill-switch-no-js");
  await noScript.close();

  // The broker accounts page has one per account: nothing left to close or pause on this one.
  await page.goto(`${app.url}/settings/brokers`);
  const accountButton = page.getByRole("button", { name: "Close all positions on Paper account" });
  await expect(accountButton.isDisabled()).resolves.toBe(true);
  await screenshot(page, "kill-switch-brokers");
}, 240_000);
