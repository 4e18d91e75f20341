// The visitor journey in Chromium against the real embedded app: browse, search, filter, page, open a strategy.
import type { Browser, Page } from "playwright-core";
import { seedMarketplace } from "../../bench/_market-seed";
import { openStore } from "../../db/store/client";
import { launchBrowser, screenshot, startApp, type RunningApp } from "./harness";

let app: RunningApp;
let browser: Browser;
let traded: { slug: string; name: string }[];

beforeAll(async () => {
  app = await startApp();
  const store = await openStore({ url: app.databaseUrl });
  try {
    // 30 more strategies beside the 4 seeded examples: enough for a second page; 4 with real closed trades.
    ({ traded } = await seedMarketplace(store.db, { count: 30, withTrades: 4, seed: 7 }));
  } finally {
    store.close();
  }
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const cardLinks = (page: Page) => page.locator("main ul > li article h2 a");

describe("a visitor", () => {
  it("finds the app healthy (embedded: libSQL, PGlite queue, in-process bus)", async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, store: { ok: true }, queue: { ok: true }, bus: { ok: true } });
    expect(body.queue.detail).toContain("pglite");
  });

  it("browses, searches, filters, pages and opens a strategy", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Hydration mismatches and client errors show up here, not in the test process.
    const browserErrors: string[] = [];
    // (The app has no favicon yet: the browser's own request for it is not a page error.)
    page.on("console", (m) => {
      if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico"))
        browserErrors.push(`${m.text()} ${m.location().url}`);
    });
    page.on("pageerror", (e) => browserErrors.push(e.message));
    await page.goto(app.url);
    await page.getByRole("heading", { name: "Marketplace" }).waitFor();
    await page.getByText("34 strategies").waitFor();
    expect(await cardLinks(page).count()).toBe(12);
    // Every card draws its sparkline; the traded ones draw a real curve.
    expect(await page.locator("main ul > li article svg[role=img]").count()).toBe(12);
    await screenshot(page, "visitor-marketplace");

    // Search (debounced, submits itself once hydrated).
    await page.getByLabel("Search strategies").fill("SMA");
    await page.waitForURL(/\?q=SMA/);
    await page.getByRole("link", { name: "SMA Crossover" }).waitFor();
    await page.getByText(/strategies? match/).waitFor();
    const found = await cardLinks(page).count();
    expect(found).toBeGreaterThanOrEqual(1);
    expect(found).toBeLessThan(4);

    // Nothing matches: the no-result state offers to clear the filters.
    await page.getByLabel("Search strategies").fill("zzz-nothing-like-this");
    await page.getByRole("heading", { name: "No strategies match" }).waitFor();
    await screenshot(page, "visitor-no-results");
    await page.getByRole("link", { name: "Clear filters" }).click();
    await page.waitForURL(`${app.url}/`);
    await page.getByText("34 strategies").waitFor();
    expect(await page.getByLabel("Search strategies").inputValue()).toBe("");

    // Filter by resolution (submits on change): every card shows that resolution.
    await page.getByLabel("Resolution").selectOption("1h");
    await page.waitForURL(/resolution=1h/);
    await page.getByText(/strategies? match/).waitFor();
    const badges = await page
      .locator("main ul > li article")
      .evaluateAll((cards) =>
        cards.map((c) => [...c.querySelectorAll("span")].some((s) => s.textContent === "1h")),
      );
    expect(badges.length).toBeGreaterThan(0);
    expect(badges.every(Boolean)).toBe(true);

    // A tag chip narrows further and stays in the URL with the resolution.
    await page.getByLabel("Resolution").selectOption("");
    await page.waitForURL((url) => !url.search.includes("resolution"));
    const trendChip = page
      .getByRole("group", { name: "Filter by tag" })
      .getByRole("link", { name: "trend", exact: true });
    await trendChip.click();
    await page.waitForURL(/tag=trend/);
    await page.locator('a[aria-current="true"]', { hasText: "trend" }).waitFor();
    await trendChip.click();
    await page.waitForURL((url) => !url.search.includes("tag="));

    // Sort and pages live in the URL.
    await page.getByLabel("Sort by").selectOption("newest");
    await page.waitForURL(/sort=newest/);
    await page.getByRole("link", { name: "Next →" }).click();
    await page.waitForURL(/sort=newest&page=2|page=2&sort=newest/);
    await page.getByText(/Showing 13–24 of 34/).waitFor();
    await page.getByRole("link", { name: "← Previous" }).click();
    await page.waitForURL((url) => !url.search.includes("page="));

    // Open a strategy with closed trades: live figures, the equity chart, signals, versions, the call to action.
    const target = traded[0];
    await page.goto(`${app.url}/?q=${encodeURIComponent(target.name)}`);
    await page.getByRole("link", { name: target.name }).first().click();
    await page.waitForURL(`${app.url}/strategies/${target.slug}`);
    await page.getByRole("heading", { name: target.name, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Live performance" }).waitFor();
    await page.locator("[data-chart=equity] canvas").first().waitFor();
    const tradesStat = page.locator("dl > div", { has: page.locator("dt", { hasText: /^Trades$/ }) }).first();
    expect(await tradesStat.locator("dd").textContent()).toBe("40");
    // Both drawdowns, labelled; the extra figures and how each is computed.
    await page.locator("dt", { hasText: "Max drawdown (marked)" }).waitFor();
    await page.locator("dt", { hasText: "Max drawdown (closed trades)" }).waitFor();
    for (const label of ["CAGR", "Calmar", "Exposure", "Average trade", "Max consecutive losses", "SQN"])
      await page.locator("dt", { hasText: new RegExp(`^${label}$`) }).waitFor();
    await page.getByText("How these figures are computed").click();
    await page.getByText(/root mean square of the negative daily returns/).waitFor();
    await page.getByRole("heading", { name: "Recent signals" }).waitFor();
    expect(await page.getByRole("cell", { name: "CLOSE" }).count()).toBeGreaterThan(0);
    await page.getByText("First release.").waitFor();
    expect(await page.getByRole("link", { name: "Subscribe" }).getAttribute("href")).toBe(
      `/strategies/${target.slug}/subscribe`,
    );
    await screenshot(page, "visitor-strategy");

    // An example strategy without live trades says when its figures come, not a grid of dashes and an empty chart.
    await page.goto(`${app.url}/strategies/sma-crossover`);
    const live = page.getByTestId("no-live-trades");
    await live.getByText("No closed live trades yet").waitFor();
    expect(await page.locator("[data-chart=equity]").count()).toBe(0);
    expect(await page.locator("dt", { hasText: "Max drawdown" }).count()).toBe(0);
    expect(browserErrors).toEqual([]);
    await page.close();
  });

  it("works from the keyboard: search, tab to the filters, open a card", async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByLabel("Search strategies").focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("market-symbol");
    // The first card's link is the card's only stop; Enter opens the strategy.
    const firstCard = cardLinks(page).first();
    const name = await firstCard.textContent();
    await firstCard.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/strategies\//);
    await page.getByRole("heading", { name: name!, level: 1 }).waitFor();
    await page.close();
  });

  it("searches without JavaScript (a plain GET form)", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByLabel("Search strategies").fill("bollinger");
      await page.getByLabel("Symbol").selectOption("BTC/USDT");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/q=bollinger/);
      expect(new URL(page.url()).searchParams.get("symbol")).toBe("BTC/USDT");
      await page.getByRole("link", { name: "Bollinger Breakout" }).first().waitFor();
    } finally {
      await context.close();
    }
  });

  it("fits a phone screen", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByText("34 strategies").waitFor();
      // Nothing wider than the phone: no sideways scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, "visitor-phone-marketplace");
      await page.goto(`${app.url}/strategies/${traded[1].slug}`);
      await page.locator("[data-chart=equity] canvas").first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, "visitor-phone-strategy");
    } finally {
      await context.close();
    }
  });

  it("gets a 404 page for a strategy that does not exist", async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${app.url}/strategies/no-such-strategy`);
    expect(res?.status()).toBe(404);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await page.close();
  });
});
