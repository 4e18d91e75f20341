// Each author's sandbox time per close, across the deployment (ADR 176): a live run that would start after it is spent does not start.
import { AUTHOR_TIME_TTL_MS, authorTimeKey } from "../../db/contracts/cache-keys";
import { AUTHOR_TIME_BUDGET } from "../../db/contracts/domain";
import type { Cache } from "../../db/infra/cache";
import type { Logger } from "../../db/platform/logger.server";
import type { RunShare } from "../runtime";

export interface AuthorTimeDeps {
  cache: Cache;
  logger: Logger;
  /** Sandbox ms per author per close; 0 counts nothing and refuses nothing. */
  perCloseMs: number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * The share a live run of this author's strategy at this close asks its slot with: admitted while the
 * author's counted time is under the budget, its own time counted once it ran. The cache failing only
 * stops the counting (logged): fairness never costs a subscriber an execution.
 */
export function createAuthorTime(deps: AuthorTimeDeps) {
  const { cache, logger, perCloseMs } = deps;
  return (authorId: string, strategyId: string, closeTime: number): RunShare => {
    if (perCloseMs <= 0) return { author: authorId, strategy: strategyId };
    const key = authorTimeKey(authorId, closeTime);
    return {
      author: authorId,
      strategy: strategyId,
      async admit() {
        let used: number;
        try {
          used = Number((await cache.get(key)) ?? 0);
        } catch (error) {
          logger.warn({ err: error, key }, "cache unavailable: the author's time per close is not checked");
          return null;
        }
        if (used < perCloseMs) return null;
        const message = `Not run: this author's strategies had already used ${seconds(used)} of sandbox time at this candle close, past the ${seconds(perCloseMs)} each author gets per close (AUTHOR_TIME_PER_CLOSE_MS). Faster or fewer strategies run at every close.`;
        return { ok: false, error: { kind: AUTHOR_TIME_BUDGET, message, traceback: "", logs: [] } };
      },
      async spent(ms) {
        await cache
          .increment(key, AUTHOR_TIME_TTL_MS, Math.max(1, Math.ceil(ms)))
          .catch((error: unknown) =>
            logger.warn({ err: error, key }, "cache unavailable: a run's time was not counted"),
          );
      },
    };
  };
}

export type AuthorTime = ReturnType<typeof createAuthorTime>;
