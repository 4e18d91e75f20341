// The market chart in Chromium against the real web app: candles drawn on a canvas with the signals and a
// subscriber's entries and exits marked, the loading and empty states, the market switcher and the keyboard.
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { RESOLUTION_MS } from "../../db/contracts/domain";
import { openStore } from "../../db/store/client";
import { users } from "../../db/store/schema";
import { eq } from "drizzle-orm";
import { MARK_COLORS } from "../../app/components/market-chart-marks";
import { signalsOn, storeSampleCandles } from "../support/chart-market";
import { insertStrategy, insertSubscriptions, insertUser, TEST_PASSWORD } from "../support/store";
import { launchBrowser, screenshot, SCREENSHOT_DIR, startApp, type RunningApp } from "./harness";

const H = RESOLUTION_MS["1h"];
const BTC = { source: "binance", symbol: "BTC/USDT", resolution: "1h" } as const;
let app: RunningApp;
let browser: Browser;
let subscriber: { email: string; subscriptionId: string };

beforeAll(async () => {
  // The web app alone: no worker writes candles or executions beside the fixtures.
  app = await startApp({}, ["--web"]);
  const store = await openStore({ url: app.databaseUrl });
  try {
    const author = await insertUser(store, "Ada Quant");
    const strategy = await insertStrategy(store, author.id, {
      slug: "chart-demo",
      symbols: ["BTC/USDT", "ETH/USDT"],
      resolution: "1h",
    });
    await insertStrategy(store, author.id, { slug: "chart-empty", symbols: ["SOL/USDT"] });
    // 300 closed candles up to the last full hour, three of them filled, on the exchange's source.
    const start = Math.floor(Date.now() / H) * H - 300 * H;
    const btc = await storeSampleCandles(store.db, BTC, { count: 300, start, filled: [240, 241, 242] });
    await storeSampleCandles(
      store.db,
      { source: "binance", symbol: "ETH/USDT", resolution: "1h" },
      { count: 300, start, seed: 5, startPrice: 2_400 },
    );
    const u = await insertUser(store, "sam");
    const [sub] = await insertSubscriptions(store, strategy.id, 1, {
      userId: u.id,
      brokerAccountId: u.paperBrokerId,
    });
    const [row] = await store.db.select({ email: users.email }).from(users).where(eq(users.id, u.id));
    subscriber = { email: row.email, subscriptionId: sub.id };

    const at = signalsOn(store.db, strategy, BTC, btc);
    const mine = (side: "LONG" | "SHORT") => [{ subscriptionId: sub.id, userId: u.id, side }];
    const exit = (tradeId: string, exitPrice: number, pnl: number, exitReason: string) => [
      { tradeId, exitPrice, pnl, exitReason },
    ];
    const [long1] = await at(200, "BUY", { opens: mine("LONG") });
    await at(215, "HOLD");
    const [short1] = await at(230, "SELL", {
      opens: mine("SHORT"),
      closes: exit(long1, btc[230].close, 4.2, "opposite_signal"),
    });
    await at(260, "CLOSE", { closes: exit(short1, btc[260].close, -1.3, "signal") });
    const [long2] = await at(275, "BUY", { opens: mine("LONG") });
    await at(288, "HOLD", { closes: exit(long2, btc[288].low, -2.1, "stop_loss") });
  } finally {
    store.close();
  }
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function openPage(errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

const hex = (color: string) => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));

/** Pixels of `color` (give or take anti-aliasing) on the chart's plot canvas, the largest one it draws. */
async function pixelsOf(region: Locator, color: string): Promise<number> {
  return region.evaluate((element, rgb) => {
    const canvases = [...element.querySelectorAll("canvas")];
    const plot = canvases.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    const data = plot.getContext("2d")!.getImageData(0, 0, plot.width, plot.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 200 && [0, 1, 2].every((c) => Math.abs(data[i + c] - rgb[c]) <= 6)) count++;
    }
    return count;
  }, hex(color));
}

const chartRegion = (page: Page) => page.getByRole("region", { name: /candlestick chart/ });

describe("the market chart", () => {
  it("shows a loading state until the client bundle draws the chart", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app.url}/strategies/chart-demo`);
    // Server-rendered: the summary is already there; the canvas waits for the browser bundle.
    await chartRegion(page).getByRole("status").getByText("Loading chart…").waitFor();
    await page.getByText(/Last BTC\/USDT 1h candle, closed/).waitFor();
    expect(await chartRegion(page).locator("canvas").count()).toBe(0);
    await chartRegion(page).scrollIntoViewIfNeeded();
    await screenshot(page, "market-chart-loading");
    await context.close();
  });

  it("draws the strategy's candles with its signals, the source badge and the legend", async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${app.url}/strategies/chart-demo`);
    const region = chartRegion(page);
    await region.and(page.locator("[data-chart-state=ready]")).waitFor();
    expect(await region.locator("canvas").count()).toBeGreaterThan(0);
    expect(await region.getAttribute("tabindex")).toBe("0");
    const section = page.getByRole("region", { name: "Market", exact: true });
    await section.getByText("Binance").waitFor();
    await section.getByText(/Filled \(3\): nothing traded/).waitFor();
    await section.getByText(/Last signal: BUY at [\d,.]+, /).waitFor();
    // The CLOSE mark is the only thing the plot draws in its colour.
    expect(await pixelsOf(region, MARK_COLORS.CLOSE)).toBeGreaterThan(20);
    await region.scrollIntoViewIfNeeded();
    await screenshot(page, "market-chart-strategy");

    // The keyboard scrolls the chart: what the plot shows changes.
    await region.focus();
    const before = await region.screenshot();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(async () => Buffer.compare(before, await region.screenshot())).not.toBe(0);

    // The switcher charts the other market.
    await section.getByRole("link", { name: "ETH/USDT" }).click();
    await page.waitForURL(/\?market=ETH%2FUSDT/);
    await page.getByText(/Last ETH\/USDT 1h candle, closed/).waitFor();
    await chartRegion(page).and(page.locator("[data-chart-state=ready]")).waitFor();
    expect(await section.getByRole("link", { name: "ETH/USDT" }).getAttribute("aria-current")).toBe("page");

    // On a phone the chart keeps to the card's width (autoSize), the switcher beside its title.
    await page.setViewportSize({ width: 390, height: 844 });
    await section.scrollIntoViewIfNeeded();
    const box = (await section.boundingBox())!;
    const plot = (await chartRegion(page).boundingBox())!;
    expect(plot.x + plot.width).toBeLessThanOrEqual(box.x + box.width);
    await section.screenshot({ path: join(SCREENSHOT_DIR, "market-chart-phone.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says so where the store has no candles yet", async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${app.url}/strategies/chart-empty`);
    const empty = page.locator("[data-chart-state=empty]");
    await empty.getByText("No SOL/USDT 1m candles stored yet").waitFor();
    await page.getByRole("region", { name: "Market", exact: true }).getByText("Simulated market").waitFor();
    expect(await page.getByRole("region", { name: /candlestick chart/ }).count()).toBe(0);
    await empty.scrollIntoViewIfNeeded();
    await screenshot(page, "market-chart-empty");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("marks the subscriber's own entries and exits on the subscription page", async () => {
    const errors: string[] = [];
    const page = await openPage(errors);
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Email").fill(subscriber.email);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "Log out" }).waitFor();
    await page.goto(`${app.url}/subscriptions/${subscriber.subscriptionId}`);
    const region = chartRegion(page);
    await region.and(page.locator("[data-chart-state=ready]")).waitFor();
    const section = page.getByRole("region", { name: "Market and your trades" });
    await section.getByText("Your exit, price and reason").waitFor();
    expect(await pixelsOf(region, MARK_COLORS.entry)).toBeGreaterThan(20);
    expect(await pixelsOf(region, MARK_COLORS.exit)).toBeGreaterThan(20);
    await region.scrollIntoViewIfNeeded();
    await screenshot(page, "market-chart-subscription");
    expect(errors).toEqual([]);
    await page.close();
  });
});
