// Sign-up through the real entry (scripts/start.ts): with MAIL_URL=smtp:// the code reaches a real SMTP server, a
// browser enters it (wrong first, then a new one); with the default MAIL_URL=log the code is in the terminal and
// the outbox; a bad MAIL_URL stops the start naming the variable.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { ROOT } from "../../scripts/build-if-needed";
import { MAIL_OUTBOX_FILE } from "../../db/platform/mail";
import { codeFromOutbox, outboxMails } from "../support/mail-outbox";
import { codeIn, startSmtpSink, type SmtpSink } from "../support/smtp-sink";
import { launchBrowser, screenshot, startApp, type RunningApp } from "./harness";

const FROM = "Candlecast <codes@candlecast.test>";
let sink: SmtpSink;
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  sink = await startSmtpSink();
  [app, browser] = await Promise.all([startApp({ MAIL_URL: sink.url, MAIL_FROM: FROM }), launchBrowser()]);
}, 200_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.close();
});

it("signs up in the browser with the code mailed over SMTP: a wrong one, a new one, then in", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
  const page = await context.newPage();
  const email = `smtp-${Date.now()}@example.test`;
  await page.goto(`${app.url}/signup?redirectTo=${encodeURIComponent("/subscriptions")}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name", { exact: true }).fill("Mae");
  await page.getByLabel("Password").fill("a good long password");
  await screenshot(page, "sign-up-form");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  await page.getByText(`We sent a 6-digit code to ${email}.`).waitFor();
  // The code field has focus: the code can be typed at once.
  await expect(page.evaluate(() => document.activeElement?.getAttribute("name"))).resolves.toBe("code");
  await screenshot(page, "sign-up-check-your-email");

  const first = await sink.waitFor(email);
  expect(first.raw).toMatch(/^From: Candlecast <codes@candlecast\.test>/m);
  const code = codeIn(first);
  await page.keyboard.type(code === "000000" ? "111111" : "000000");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/signup\/verify\?redirectTo=%2Fsubscriptions$/);
  await page.getByText("That code is not right: 4 tries left.").waitFor();
  await expect(page.getByLabel("Code").getAttribute("aria-invalid")).resolves.toBe("true");
  await screenshot(page, "sign-up-verify-wrong-code");

  // A resend right away is refused with the wait; the first code still works meanwhile.
  await page.getByRole("button", { name: "Send a new code" }).click();
  await page.getByText(/A code was sent less than a minute ago\. Wait \d+ s/).waitFor();
  await screenshot(page, "sign-up-verify-resend-too-soon");
  expect(sink.mailsTo(email)).toHaveLength(1);

  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Verify and create account" }).click();
  await page.waitForURL(/\/subscriptions$/);
  await page.getByRole("button", { name: "Log out" }).waitFor();
  await context.close();
});

it("gives a taken email the same page, and mails its owner a notice", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = `owner-${Date.now()}@example.test`;
  const answerFor = async () => {
    await page.goto(`${app.url}/signup`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Name", { exact: true }).fill("Owner");
    await page.getByLabel("Password").fill("a good long password");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/signup") && r.request().method() === "POST"),
      page.getByRole("button", { name: "Sign up" }).click(),
    ]);
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    return { status: response.status(), main: await page.getByRole("main").innerText() };
  };
  const asNew = await answerFor();
  await page.getByLabel("Code").fill(codeIn(await sink.waitFor(email)));
  await page.getByRole("button", { name: "Verify and create account" }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("link", { name: "Log in" }).first().waitFor();

  const asTaken = await answerFor();
  expect(asTaken).toEqual(asNew);
  const notice = await sink.waitFor(email, { after: 1 });
  expect(notice.subject).toBe("Someone tried to sign up with your address");
  await context.close();
});

it("with the default MAIL_URL=log, prints the code in the terminal and writes it to the outbox", async () => {
  const logged = await startApp({ LOG_LEVEL: "info" });
  try {
    const email = `log-${Date.now()}@example.test`;
    const res = await fetch(`${logged.url}/signup`, {
      method: "POST",
      body: new URLSearchParams({ email, name: "Lou", password: "a good long password" }),
      headers: { Origin: logged.url },
    });
    expect(res.status).toBe(200);
    const code = await codeFromOutbox(logged.dataDir, email);
    expect(outboxMails(logged.dataDir).at(-1)).toMatchObject({
      to: email,
      from: "Candlecast <no-reply@candlecast.localhost>",
    });
    expect(statSync(join(logged.dataDir, MAIL_OUTBOX_FILE)).mode & 0o777).toBe(0o600);
    await vi.waitFor(
      () => expect(logged.output()).toContain(`mail to ${email}: ${code} is your Candlecast sign-up code`),
      { timeout: 10_000 },
    );
  } finally {
    await logged.stop();
  }
}, 200_000);

it("stops at start, naming MAIL_URL, when it is not log or an SMTP URL", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "candlecast-mail-"));
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/start.ts")], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, MAIL_URL: "http://mail.example.com" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  try {
    expect(await new Promise((r) => child.on("exit", r))).toBe(1);
    expect(stderr).toMatch(/MAIL_URL: must be log or smtp:\/\/user:password@host:port/);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
