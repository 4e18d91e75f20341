// Asks the exchange again after a retryable failure (429, 5xx, timeout), waiting longer each time.
import { UpstreamError } from "../../worker/market-data/upstream";

export interface BackoffOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Told before each wait, e.g. to show it beside the progress bar. */
  onRetry?: (error: UpstreamError, delayMs: number) => void;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  attempts: 8,
  firstDelayMs: 250,
  maxDelayMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** `ask()`'s answer; a failure that is not retryable, or the last attempt's, is thrown. */
export async function withBackoff<T>(ask: () => Promise<T>, options: BackoffOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (!(error instanceof UpstreamError) || !error.retryable || attempt >= options.attempts) throw error;
      const delayMs = Math.min(options.maxDelayMs, options.firstDelayMs * 2 ** (attempt - 1));
      options.onRetry?.(error, delayMs);
      await options.sleep(delayMs);
    }
  }
}
