// Subscriber journeys in Chromium: sign up and subscribe, manage a subscription, tenancy, SSE resume after a drop.
import { eq, sql } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { openStore, type Store } from "../../db/store/client";
import { events, users } from "../../db/store/schema";
import { launchBrowser, screenshot, startApp, type RunningApp } from "./harness";
import { enterSignUp, fillSettings, signUp, subscribe, VALID_SETTINGS } from "./subscriber-steps";

let app: RunningApp;
let browser: Browser;
let store: Store;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  store = await openStore({ url: app.databaseUrl });
});
afterAll(async () => {
  store?.close();
  await browser?.close();
  await app?.stop();
});

describe("subscriber journeys", () => {
  it("a new user signs up, sees field errors for invalid settings, subscribes, and sees changes live", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/strategies/sma-crossover`);
    await page.getByRole("link", { name: "Subscribe" }).first().click();
    await page.waitForURL(/\/login\?redirectTo=/);
    // The URL changes before React renders the new page: wait for the log-in card's own link, not the header's.
    await page.getByRole("main").getByRole("link", { name: "Sign up" }).click();
    await page.waitForURL(/\/signup\?redirectTo=/);
    await enterSignUp(page, app, `ada-${Date.now()}@example.test`, "Ada");
    await page.waitForURL(/\/strategies\/sma-crossover\/subscribe$/);

    // Defaults are filled in; invalid values get inline errors tied to their fields.
    await expect(page.getByLabel("Capital", { exact: true }).inputValue()).resolves.toBe("1000");
    await expect(
      page.getByLabel("Broker account").locator("option:checked").textContent(),
    ).resolves.toContain("Paper account");
    await fillSettings(page, { Capital: "5", "Risk per trade": "25", Leverage: "x" });
    await page.getByRole("button", { name: "Subscribe" }).click();
    const capital = page.getByLabel("Capital", { exact: true });
    await page.getByText("Capital must be at least 10 USDT").waitFor();
    await expect(capital.getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(capital.getAttribute("aria-describedby")).resolves.toContain("field-capital-error");
    await page.getByText("Risk per trade must be at most 10 %").waitFor();
    await page.getByText("Leverage must be a number").waitFor();
    await expect(capital.inputValue()).resolves.toBe("5");
    await screenshot(page, "subscriber-subscribe-errors");

    await fillSettings(page, VALID_SETTINGS);
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.waitForURL(/\/subscriptions\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "SMA Crossover" }).waitFor();
    await page.getByText("Live", { exact: true }).waitFor();

    // A change made elsewhere (another tab) arrives through the bus and SSE, without a reload.
    const other = await context.newPage();
    await other.goto(page.url());
    await other.getByRole("button", { name: "Pause" }).click();
    await other.getByRole("button", { name: "Resume" }).waitFor();
    const started = Date.now();
    await page.getByRole("button", { name: "Resume" }).waitFor({ timeout: 5000 });
    expect(Date.now() - started).toBeLessThan(2000);
    await page.getByText("Paused", { exact: true }).waitFor();
    await screenshot(page, "subscriber-subscription-live");
    await context.close();
  });

  it("pauses, resumes, edits and cancels a subscription", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signUp(page, app, "Pat");
    const url = await subscribe(page, app.url, "rsi-mean-reversion");
    const id = url.split("/").pop()!;

    await page
      .getByRole("navigation", { name: "Account" })
      .getByRole("link", { name: "My subscriptions" })
      .click();
    const card = page.getByRole("listitem").filter({ hasText: "RSI Mean Reversion" });
    await card.getByText("Active", { exact: true }).waitFor();
    await card.getByRole("button", { name: "Pause" }).click();
    await card.getByText("Paused", { exact: true }).waitFor();
    await card.getByRole("button", { name: "Resume" }).click();
    await card.getByText("Active", { exact: true }).waitFor();

    await card.getByRole("link", { name: "Edit settings" }).click();
    await page.getByText("New settings apply from the next candle close.").waitFor();
    await fillSettings(page, { Capital: "7500", Leverage: "40" });
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Leverage must be at most 20×").waitFor();
    await fillSettings(page, { Leverage: "3" });
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForURL(new RegExp(`/subscriptions/${id}$`));
    await page.getByText("7,500.00 USDT").waitFor();

    await page.getByRole("link", { name: "Cancel subscription" }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByText("Cancel this subscription?").waitFor();
    await screenshot(page, "subscriber-cancel-dialog");
    await dialog.getByRole("button", { name: "Keep subscription" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "Cancel subscription" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Yes, cancel subscription" }).click();
    await page.getByText("Cancelled", { exact: true }).waitFor();
    await expect(page.getByRole("button", { name: "Pause" }).count()).resolves.toBe(0);
    await page
      .getByRole("navigation", { name: "Account" })
      .getByRole("link", { name: "My subscriptions" })
      .click();
    await page
      .getByRole("listitem")
      .filter({ hasText: "RSI Mean Reversion" })
      .getByText("Cancelled", { exact: true })
      .waitFor();
    await screenshot(page, "subscriber-manage");

    // On a phone the subscription page fits the width (tables scroll inside their card).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The header is two rows: the logo with Log out, then every link on one line of its own.
    const box = async (locator: ReturnType<typeof page.locator>) => (await locator.boundingBox())!;
    const links = page.getByRole("navigation", { name: "Account" }).getByRole("link");
    const tops = await Promise.all((await links.all()).map(async (l) => (await box(l)).y));
    expect(tops).toHaveLength(3);
    expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(2);
    const logOut = await box(page.getByRole("button", { name: "Log out" }));
    const logo = await box(page.getByRole("link", { name: "Candlecast" }));
    expect(Math.abs(logOut.y + logOut.height / 2 - (logo.y + logo.height / 2))).toBeLessThan(8);
    await screenshot(page, "subscriber-phone");
    await context.close();
  });

  it("a second user cannot open the first user's subscription", async () => {
    const first = await browser.newContext();
    const page = await first.newPage();
    await signUp(page, app, "Owner");
    // An exchange account: the page shows the masked key, never the key or the secret.
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("radio", { name: /^Exchange/ }).check();
    await page.getByLabel("Name", { exact: true }).fill("Binance main");
    await page.getByLabel("API key").fill("APIKEY1234567890ZYXW");
    await page.getByLabel("API secret").fill("very-secret-value-42");
    await page.getByRole("button", { name: "Add account" }).click();
    await page.getByText("APIK••••ZYXW").waitFor();
    await page.reload();
    const html = await page.content();
    expect(html).toContain("APIK••••ZYXW");
    expect(html).not.toContain("very-secret-value-42");
    expect(html).not.toContain("APIKEY1234567890ZYXW");
    await screenshot(page, "subscriber-broker-accounts");
    const url = await subscribe(page, app.url, "macd-trend");
    await first.close();

    const second = await browser.newContext();
    const intruder = await second.newPage();
    await signUp(intruder, app, "Intruder");
    const response = await intruder.goto(url);
    expect(response?.status()).toBe(404);
    await intruder.getByRole("heading", { name: "Page not found" }).waitFor();
    expect(await intruder.content()).not.toContain("MACD Trend");
    const edit = await intruder.goto(`${url}/edit`);
    expect(edit?.status()).toBe(404);
    await screenshot(intruder, "subscriber-tenancy-404");
    // A path no route matches keeps the signed-in header too (the root's data is loaded for it).
    const unknown = await intruder.goto(`${app.url}/no-such-page`);
    expect(unknown?.status()).toBe(404);
    await intruder.getByRole("heading", { name: "Page not found" }).waitFor();
    await intruder.getByRole("button", { name: "Log out" }).waitFor();
    const post = await intruder.request.post(`${app.url}/no-such-page`, {
      form: { a: "1" },
      headers: { origin: app.url },
    });
    expect(post.status()).toBe(404);
    await second.close();
  });

  it("the event stream resumes after a dropped connection without losing an event", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = await signUp(page, app, "Resume");
    await subscribe(page, app.url, "bollinger-breakout");
    const user = await store.db.query.users.findFirst({ where: eq(users.email, email) });
    const [{ latest }] = await store.db.all<{ latest: number | null }>(
      sql`select max(seq) as latest from events`,
    );

    const connect = (since: number) =>
      page.evaluate(
        (since) =>
          new Promise<void>((resolve, reject) => {
            const w = window as unknown as { __source?: EventSource; __got: number[] };
            w.__got ??= [];
            const source = new EventSource(`/events?lastEventId=${since}`);
            w.__source = source;
            source.addEventListener("execution", (e) =>
              w.__got.push(Number((e as MessageEvent).lastEventId)),
            );
            source.onopen = () => resolve();
            source.onerror = () => reject(new Error("stream failed"));
          }),
        since,
      );
    await connect(latest ?? 0);
    // The connection drops; meanwhile the worker commits three events for this user.
    await page.evaluate(() => (window as unknown as { __source: EventSource }).__source.close());
    const payload = (i: number) =>
      JSON.stringify({ executionId: `x${i}`, subscriptionId: "s", status: "COMPLETED" });
    const written = await store.db
      .insert(events)
      .values(
        [1, 2, 3].map((i) => ({
          userId: user!.id,
          type: "execution",
          payload: payload(i),
          createdAt: Date.now(),
        })),
      )
      .returning({ seq: events.seq });
    await connect(latest ?? 0);
    await page.waitForFunction(
      (n) => (window as unknown as { __got: number[] }).__got.length >= n,
      written.length,
      { timeout: 5000 },
    );
    const got = await page.evaluate(() => (window as unknown as { __got: number[] }).__got);
    expect(got).toEqual(written.map((w) => w.seq));

    // The page's own stream is live again too: its indicator says so.
    await page.reload();
    await page.getByText("Live", { exact: true }).waitFor();
    await screenshot(page, "subscriber-sse-resume");
    await context.close();
  });
});
