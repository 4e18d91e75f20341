// Rate limits count in fixed windows: a test that spends a limit waits, when the current window is nearly
// over, for the next one, so all its requests fall in one window.
import { RATE_WINDOW_MS } from "../../app/api/rate-limit.server";

export async function inOneRateWindow(needMs = 15_000): Promise<void> {
  const left = RATE_WINDOW_MS - (Date.now() % RATE_WINDOW_MS);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}
