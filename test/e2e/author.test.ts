// The author journey in Chromium: create a strategy, validate broken then fixed code, publish 1.0.0, backtest it
// (progress, then results), publish 1.1.0; a subscriber sees the new version. Then the API token page and the API docs.
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { openStore } from "../../db/store/client";
import { backtests } from "../../db/store/schema";
import { launchBrowser, screenshot, startApp, type RunningApp } from "./harness";
import { signUp, subscribe } from "./subscriber-steps";

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  // A 1h candle closes every real second: the subscriber's subscription produces executions to log.
  app = await startApp({ TIME_SCALE: "3600" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const BROKEN = `from candlecast import Strategy, Signal

class Breakout(Strategy):
    lookback = 30

    def on_candle(self, candles, **kwargs)
        return Signal.hold()
`;

const FIXED = `"""Buys a close above the previous 20-bar high, sells a close below the 20-bar low."""
from candlecast import Strategy, Signal


class Breakout(Strategy):
    lookback = 30

    def on_candle(self, candles, **kwargs):
        highs = candles.high[-21:-1]
        lows = candles.low[-21:-1]
        close = candles.close[-1]
        self.log("close %.2f, range %.2f-%.2f" % (close, min(lows), max(highs)))
        if close > max(highs):
            return Signal.buy(confidence=0.6, reason="breakout up")
        if close < min(lows):
            return Signal.sell(confidence=0.6, reason="breakout down")
        return Signal.hold("inside the range")
`;

async function fillCode(page: Page, code: string) {
  await page.getByLabel("Code", { exact: true }).fill(code);
}

describe("author journey", () => {
  it("creates, validates, publishes, backtests and versions a strategy; a subscriber sees the new version", async () => {
    const authorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await authorContext.newPage();
    await signUp(page, app, "Author");
    const slug = `breakout-${Date.now()}`;

    await page.goto(`${app.url}/author/strategies`);
    await page.getByRole("heading", { name: "My strategies" }).waitFor();
    await page.getByText("No strategies yet").waitFor();
    await page.getByRole("link", { name: "New strategy" }).first().click();
    await page.getByRole("heading", { name: "New strategy" }).waitFor();

    await page.getByLabel("Name", { exact: true }).fill("Range Breakout");
    await page.getByLabel("Slug").fill(slug);
    await page.getByLabel("Description").fill("Trades breakouts of the 20-bar range.");
    await page.getByLabel("Tags").fill("breakout, trend");
    await page.getByLabel("Visibility").selectOption("public");
    await page.getByLabel("Symbols").fill("BTC/USDT, ETH/USDT");
    await page.getByLabel("Resolution").selectOption("1h");
    await page.getByLabel("Lookback").fill("50");

    // Broken code: the typed error with its line, within a couple of seconds.
    await fillCode(page, BROKEN);
    let started = Date.now();
    await page.getByRole("button", { name: "Validate" }).click();
    const result = page.getByRole("region", { name: "Validation result" });
    await result.getByText("Syntax error").waitFor({ timeout: 10_000 });
    const brokenMs = Date.now() - started;
    await expect(result.textContent()).resolves.toMatch(/line 6/);
    expect(brokenMs).toBeLessThan(5_000);
    // Nothing typed is lost by the round trip.
    await expect(page.getByLabel("Code", { exact: true }).inputValue()).resolves.toBe(BROKEN);
    await screenshot(page, "author-validate-error");

    // Fixed: the signal and the strategy's own log lines.
    await fillCode(page, FIXED);
    started = Date.now();
    await page.getByRole("button", { name: "Validate" }).click();
    await result.getByText("Validation passed").waitFor({ timeout: 10_000 });
    const fixedMs = Date.now() - started;
    await result.getByText(/Signal: (BUY|SELL|HOLD)/).waitFor();
    await expect(result.textContent()).resolves.toMatch(/close \d+\.\d\d, range/);
    await screenshot(page, "author-validate-ok");

    await page.getByRole("button", { name: "Create and publish" }).click();
    await page.waitForURL(/\/author\/strategies\/[0-9a-f-]{36}\?published=1\.0\.0$/);
    await page.getByText("Version 1.0.0 is published").waitFor();
    const workspace = page.url().split("?")[0];
    await screenshot(page, "author-workspace");

    // A subscriber follows the latest version (1.0.0 for now).
    const subscriberContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const subscriberPage = await subscriberContext.newPage();
    await signUp(subscriberPage, app, "Follower");
    const subscriptionUrl = await subscribe(subscriberPage, app.url, slug);
    await subscriberPage.getByText("version 1.0.0").waitFor();

    // Backtest 1.0.0: a progress bar while it runs, then stats, the equity curve and trades.
    await page.getByRole("link", { name: "Run a backtest" }).click();
    await page.getByRole("heading", { name: "Backtest Range Breakout" }).waitFor();
    await page.getByLabel("Market").selectOption("ETH/USDT");
    await page.getByLabel("From", { exact: true }).fill("2024-01-01");
    await page.getByLabel("To", { exact: true }).fill("2024-12-31");
    started = Date.now();
    await page.getByRole("button", { name: "Run backtest" }).click();
    await page.waitForURL(/\/backtest\?id=/);
    const section = page.getByRole("region", { name: "Backtest result" });
    // 8,760 hourly candles: long enough to be seen running, or already done on a fast machine.
    const sawProgress = await page
      .getByRole("progressbar", { name: "Backtest progress" })
      .waitFor({ timeout: 3_000 })
      .then(
        () => true,
        () => false,
      );
    if (sawProgress) await screenshot(page, "author-backtest-progress");
    await section.locator("dt", { hasText: /^Win rate$/ }).waitFor({ timeout: 60_000 });
    const backtestMs = Date.now() - started;
    await section.getByRole("columnheader", { name: "Exit reason" }).waitFor();
    // The marked and the closed-trade drawdowns, labelled, and the figures defined under the help text.
    await section.locator("dt", { hasText: "Max drawdown (marked)" }).waitFor();
    await section.locator("dt", { hasText: "Max drawdown (closed trades)" }).waitFor();
    await section.locator("dt", { hasText: /^SQN$/ }).waitFor();
    await expect(section.getByRole("row").count()).resolves.toBeGreaterThan(2);
    await expect(page.getByRole("progressbar").count()).resolves.toBe(0);
    await page.waitForTimeout(500); // the chart draws after hydration
    await screenshot(page, "author-backtest-results");

    // The same backtest as one stored before ADR 127 (no marked figures): its drawdown and curve are the
    // closed-trade ones, labelled so, and the figures it lacks read "—", never an invented 0.
    const backtestId = new URL(page.url()).searchParams.get("id")!;
    const store = await openStore({ url: app.databaseUrl });
    try {
      const [row] = await store.db.select().from(backtests).where(eq(backtests.id, backtestId));
      const { returnPct, winRate, sharpe, sortino, maxDrawdownPct, profitFactor, trades } = row.stats!;
      const before127 = { returnPct, winRate, sharpe, sortino, maxDrawdownPct, profitFactor, trades };
      await store.db.update(backtests).set({ stats: before127 }).where(eq(backtests.id, backtestId));
    } finally {
      store.close();
    }
    await page.reload();
    await section.locator("dt", { hasText: "Max drawdown (closed trades)" }).waitFor();
    await expect(section.locator("dt", { hasText: "Max drawdown (marked)" }).count()).resolves.toBe(0);
    await section.getByText("Computed before figures were marked to market").waitFor();
    const sqn = section.locator("div", { has: page.locator("dt", { hasText: /^SQN$/ }) }).last();
    await expect(sqn.locator("dd").textContent()).resolves.toBe("—");
    await section.getByRole("img", { name: "Backtest equity curve, after each closed trade" }).waitFor();
    await section.locator("[data-chart=equity] canvas").first().waitFor();
    await screenshot(page, "author-backtest-before-127");

    // Publish 1.1.0 with a changelog.
    await page.goto(workspace);
    await expect(page.getByRole("textbox", { name: "Version" }).inputValue()).resolves.toBe("1.1.0");
    await page.getByLabel("Changelog").fill("Wider range: 30 bars.");
    await fillCode(page, FIXED.replace(/-21/g, "-31"));
    await page.getByRole("button", { name: "Publish version" }).click();
    await page.waitForURL(/published=1\.1\.0$/);
    const versions = page.getByRole("region", { name: "Versions" });
    await versions.getByText("Wider range: 30 bars.").waitFor();
    await versions.getByText("1.0.0").waitFor();
    // The older version can be deprecated; the latest cannot.
    await versions.getByRole("button", { name: "Deprecate 1.0.0" }).click();
    await versions.getByText("Deprecated").waitFor();
    await screenshot(page, "author-versions");

    // The subscriber's page shows the version it now runs.
    await subscriberPage.goto(subscriptionUrl);
    await subscriberPage.getByText("version 1.1.0").waitFor();
    await screenshot(subscriberPage, "author-subscriber-sees-1.1.0");

    // The execution log: the subscription made the strategy run at each candle close.
    await page.goto(`${app.url}/author/executions`);
    await page.getByRole("heading", { name: "Execution log" }).waitFor();
    const completed = page.getByRole("row").filter({ hasText: "COMPLETED" });
    for (let i = 0; i < 20 && (await completed.count()) === 0; i++) {
      await page.waitForTimeout(1000);
      await page.reload();
    }
    await expect(completed.first().textContent()).resolves.toMatch(/1\.1\.0|1\.0\.0/);
    await completed.first().locator("summary").click();
    await completed
      .first()
      .getByText(/close \d+\.\d\d, range/)
      .waitFor();
    await screenshot(page, "author-execution-log");

    process.stdout.write(
      `${JSON.stringify({ journey: "author", validate_broken_ms: brokenMs, validate_fixed_ms: fixedMs, backtest_8760_candles_ms: backtestMs, saw_progress: sawProgress })}\n`,
    );
    await authorContext.close();
    await subscriberContext.close();
  });

  it("an API token created in settings works with the API; the API docs render the OpenAPI document", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signUp(page, app, "Scripter");
    await page.goto(`${app.url}/settings/tokens`);
    await page.getByLabel("Token name").fill("ci");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.getByLabel("New API token").inputValue();
    expect(token).toMatch(/^cc_/);
    await screenshot(page, "author-api-token");

    const me = await fetch(`${app.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    await expect(me.json()).resolves.toMatchObject({ name: "Scripter" });
    const validated = await fetch(`${app.url}/api/v1/validate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ code: FIXED }),
    });
    expect(validated.status).toBe(200);
    await expect(validated.json()).resolves.toMatchObject({ status: "done", result: { ok: true } });

    await page.reload();
    await page.getByRole("button", { name: "Revoke ci" }).click();
    await page.getByText(/Revoked/).waitFor();
    const after = await fetch(`${app.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);

    await page.goto(`${app.url}/api-docs`);
    await page.getByRole("heading", { name: /Candlecast API/ }).waitFor();
    await page
      .getByRole("region", { name: "Versions" })
      .getByText("/api/v1/strategies/{id}/versions")
      .first()
      .waitFor();
    await screenshot(page, "author-api-docs");
    await context.close();
  });
});
