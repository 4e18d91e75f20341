// Steps the subscriber journeys share: sign up (with the code from the app's mail outbox), subscribe with valid settings.
import type { Page } from "playwright-core";
import { codeFromOutbox } from "../support/mail-outbox";

let counter = 0;

/** The running app's address and data directory, whose `mail-outbox.jsonl` (MAIL_URL=log) holds the codes. */
export type AppWithOutbox = { url: string; dataDir: string };

/** Signs up a fresh user in the browser, entering the code the app mailed, and returns their email. */
export async function signUp(page: Page, app: AppWithOutbox, name = "Sam"): Promise<string> {
  const email = `${name.toLowerCase()}-${Date.now()}-${counter++}@example.test`;
  await page.goto(`${app.url}/signup`);
  await enterSignUp(page, app, email, name);
  await page.getByRole("button", { name: "Log out" }).waitFor();
  return email;
}

/** On the sign-up page: fills the form, waits for "Check your email" and enters the code from the outbox. */
export async function enterSignUp(page: Page, app: AppWithOutbox, email: string, name: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Password").fill("a good long password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  await page.getByLabel("Code").fill(await codeFromOutbox(app.dataDir, email));
  await page.getByRole("button", { name: "Verify and create account" }).click();
}

export const VALID_SETTINGS = {
  Capital: "2000",
  "Risk per trade": "1",
  Leverage: "2",
  "Max open positions": "3",
  "Max daily loss": "5",
  "Stop-loss (ATR ×)": "2",
  "Take-profit (ATR ×)": "3",
} as const;

export async function fillSettings(page: Page, values: Partial<Record<keyof typeof VALID_SETTINGS, string>>) {
  for (const [label, value] of Object.entries(values))
    await page.getByLabel(label, { exact: true }).fill(value);
}

/** Subscribes to a seeded strategy with valid settings; returns the subscription page URL. */
export async function subscribe(page: Page, baseUrl: string, slug: string): Promise<string> {
  await page.goto(`${baseUrl}/strategies/${slug}/subscribe`);
  await fillSettings(page, VALID_SETTINGS);
  await page.getByRole("button", { name: "Subscribe" }).click();
  await page.waitForURL(/\/subscriptions\/[0-9a-f-]{36}$/);
  return page.url();
}
