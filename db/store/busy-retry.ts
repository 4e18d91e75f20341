// sqld answers SQLITE_BUSY ("database is locked") to a few writes when many connections want its write lock at
// once (ADR 157: 91 of 37,121 batches). A batch is one transaction that then did not run at all, so sending it
// again cannot double anything: it is retried with a short, growing, jittered pause while its bound allows (ADR 158).

/** The first pause; each next one doubles, up to MAX_PAUSE_MS, and is jittered down to half so writers spread out. */
const FIRST_PAUSE_MS = 20;
const MAX_PAUSE_MS = 500;

export function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "SQLITE_BUSY";
}

/**
 * Runs `attempt` until it answers, or fails with anything but SQLITE_BUSY, or the next try would start past
 * `budgetMs` from now (then the last BUSY is thrown). `onBusy` hears of each retry.
 */
export async function retryWhileBusy<T>(
  attempt: () => Promise<T>,
  budgetMs: number,
  onBusy?: (retry: number, pauseMs: number) => void,
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let retry = 1, pause = FIRST_PAUSE_MS; ; retry++, pause = Math.min(MAX_PAUSE_MS, pause * 2)) {
    try {
      return await attempt();
    } catch (error) {
      const jittered = Math.round(pause * (0.5 + Math.random() / 2));
      if (!isBusy(error) || Date.now() + jittered >= deadline) throw error;
      onBusy?.(retry, jittered);
      await new Promise((resolve) => setTimeout(resolve, jittered));
    }
  }
}
