// The Content-Security-Policy on the real entry point (scripts/start.ts) and in Chromium: every response has its
// own nonce, Remix's inline scripts carry it, pages hydrate with no violation, and a script without it is blocked.
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp, type RunningApp } from "./harness";
import { signUp, subscribe } from "./subscriber-steps";

let app: RunningApp;
let browser: Browser;
let slug: string;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  const home = await (await fetch(app.url)).text();
  slug = /href="\/strategies\/([a-z0-9-]+)"/.exec(home)![1];
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const nonceOf = (csp: string | null) => /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp ?? "")?.[1];

describe("the Content-Security-Policy header", () => {
  it.each([
    ["the marketplace", "/"],
    ["a strategy page", "/__strategy__"],
    ["the log-in page", "/login"],
    ["the sign-up page", "/signup"],
    ["a 404 page", "/no-such-page"],
  ])("%s gets a fresh nonce that every script it renders carries", async (_name, path) => {
    const url = `${app.url}${path.replace("/__strategy__", `/strategies/${slug}`)}`;
    const [first, second] = [await fetch(url), await fetch(url)];
    const [html, again] = [await first.text(), await second.text()];
    const csp = first.headers.get("content-security-policy");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const nonce = nonceOf(csp)!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nonceOf(second.headers.get("content-security-policy"))).not.toBe(nonce);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // A cached copy (anonymous page cache) carries the second response's nonce, not the first one's.
    expect(again).not.toContain(nonce);
    expect(again).toContain(`nonce="${nonceOf(second.headers.get("content-security-policy"))}"`);
  });
});

/** A page that records every CSP violation and browser error from before its first script runs. */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __violations: string[] }).__violations.push(
        `${e.violatedDirective} ${e.blockedURI} ${e.sample} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
      );
    });
    (window as unknown as { __violations: string[] }).__violations = [];
  });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return { page, problems };
}

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

// Polled from the test (page.waitForFunction would evaluate its predicate with eval in the page, a violation).
const waitForHydration = (page: Page) =>
  expect.poll(() => page.evaluate(() => "__remixRouter" in window)).toBe(true);

/** Hydrated: a client-side navigation keeps the window (a marker set on it survives the click). */
async function expectHydrated(page: Page, linkName: string | RegExp) {
  await waitForHydration(page);
  await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
  const before = page.url();
  await page.getByRole("link", { name: linkName }).first().click();
  await page.waitForURL((u) => u.toString() !== before);
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
}

describe("in Chromium", () => {
  it("every page type hydrates with zero violations, anonymous (cached copies too) and signed in", async () => {
    const { page, problems } = await watchedPage();
    const copy = await watchedPage();
    // The second visitor, right behind the first, gets the cached copy (the cache keeps a page for 1 s).
    const url = `${app.url}/?from=chromium`;
    expect((await page.goto(url, { waitUntil: "commit" }))!.headers()["x-page-cache"]).toBe("miss");
    expect((await copy.page.goto(url, { waitUntil: "commit" }))!.headers()["x-page-cache"]).toBe("hit");
    await expectHydrated(page, "Log in");
    await expectHydrated(copy.page, "Log in");
    expect(await violations(copy.page)).toEqual([]);
    expect(copy.problems).toEqual([]);
    await copy.page.close();
    await page.goto(`${app.url}/strategies/${slug}`);
    await expectHydrated(page, "Sign up");
    await signUp(page, app, "Csp");
    const subscription = await subscribe(page, app.url, slug);
    await page.goto(subscription);
    await page.getByText("Live").first().waitFor();
    for (const [path, link] of [
      ["/subscriptions", "My strategies"],
      ["/author/strategies", "Settings"],
      ["/settings", "My subscriptions"],
      ["/settings/tokens", "My subscriptions"],
    ]) {
      await page.goto(`${app.url}${path}`);
      await expectHydrated(page, link);
    }
    expect(await violations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("blocks an injected inline script and inline handler that lack the nonce, and reports them", async () => {
    const { page, problems } = await watchedPage();
    await page.goto(`${app.url}/login`);
    await waitForHydration(page);
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = 'script'";
      document.body.append(script);
      const holder = document.createElement("div");
      holder.innerHTML = `<img src="data:," onload="window.__injected = 'handler'">`;
      document.body.append(holder);
    });
    await expect.poll(async () => (await violations(page)).length).toBe(2);
    expect(
      await page.evaluate(() => (window as unknown as { __injected?: string }).__injected),
    ).toBeUndefined();
    const reported = await violations(page);
    expect(reported.some((v) => v.startsWith("script-src-elem inline"))).toBe(true);
    expect(reported.some((v) => v.startsWith("script-src-attr inline"))).toBe(true);
    expect(problems.join("\n")).toContain("Content Security Policy");
    await page.close();
  });
});
