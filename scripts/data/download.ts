// `data download`: an exchange's closed candles into the candle store, one page at a time, resuming from what is stored.
import { RESOLUTION_MS, type Resolution } from "../../db/contracts/domain";
import type { Db } from "../../db/store/client";
import { missingRanges } from "../../db/store/queries/candle-gaps";
import { candleBefore, insertCandles, type Market } from "../../db/store/queries/candles";
import { PAGE_LIMIT } from "../../worker/market-data/ccxt-upstream.server";
import { fillGaps } from "../../worker/market-data/fill-gaps";
import type { CandleUpstream } from "../../worker/market-data/upstream";
import { UsageError } from "./args";
import { withBackoff, type BackoffOptions } from "./backoff";
import { formatTime } from "./format-time";
import { createProgress, type ProgressStream } from "./progress";

export interface DownloadRequest {
  symbols: string[];
  resolution: Resolution;
  from: number;
  to?: number;
}

export interface DownloadDeps {
  db: Db;
  upstream: CandleUpstream;
  progressOut: ProgressStream;
  backoff: BackoffOptions;
  now: () => number;
}

export interface SymbolSummary {
  symbol: string;
  /** Candles written: the exchange's and the filled ones. */
  stored: number;
  filled: number;
  /** Candles the exchange has not published (yet): none after them, so they are not holes to fill. */
  unpublished: number;
}

/**
 * The open times to download, [from, to), on the resolution's boundaries; never the candle in
 * progress (the one opening at or before `now` that has not closed).
 */
export function downloadSpan(resolution: Resolution, from: number, to: number | undefined, now: number) {
  const ms = RESOLUTION_MS[resolution];
  const ceil = (t: number) => Math.ceil(t / ms) * ms;
  const inProgress = Math.floor(now / ms) * ms;
  const span = { from: ceil(from), to: Math.min(ceil(to ?? inProgress), inProgress) };
  if (span.from >= inProgress)
    throw new UsageError(`--from: no ${resolution} candle opening at or after ${formatTime(from)} has closed yet`);
  if (span.from >= span.to)
    throw new UsageError(`--to: no ${resolution} candle opens between --from and --to`);
  return span;
}

export async function downloadHistory(request: DownloadRequest, deps: DownloadDeps): Promise<SymbolSummary[]> {
  const { db, upstream } = deps;
  const { resolution } = request;
  const ms = RESOLUTION_MS[resolution];
  const span = downloadSpan(resolution, request.from, request.to, deps.now());
  // What the store already holds is skipped: an interrupted download picks up at its first missing candle.
  const plans = await Promise.all(
    request.symbols.map(async (symbol) => {
      const market: Market = { source: upstream.source, symbol, resolution };
      return { market, ranges: await missingRanges(db, market, ms, span) };
    }),
  );
  const total = plans.reduce((sum, p) => sum + p.ranges.reduce((n, r) => n + r.missing, 0), 0);
  const progress = createProgress({ total, out: deps.progressOut });
  const backoff: BackoffOptions = {
    ...deps.backoff,
    onRetry: (error, delayMs) => progress.note(`${error.message}; asking again in ${formatWait(delayMs)}`),
  };
  const summaries: SymbolSummary[] = [];
  for (const { market, ranges } of plans) {
    const summary: SymbolSummary = { symbol: market.symbol, stored: 0, filled: 0, unpublished: 0 };
    summaries.push(summary);
    let left = ranges.reduce((n, r) => n + r.missing, 0);
    ranges: for (const range of ranges) {
      for (let from = range.from; from <= range.to; ) {
        // One candle fewer than a page: the page's last row then says whether the exchange moved on past it.
        const until = Math.min(from + (PAGE_LIMIT - 1) * ms, range.to + ms);
        const page = await withBackoff(
          () => upstream.closedSince(market.symbol, resolution, from, until),
          backoff,
        );
        // Without a newer candle the exchange's newest may still be in progress by its clock: left for the next run.
        const storedUntil = page.movedOn ? until : (page.candles.at(-2)?.time ?? from - ms) + ms;
        const rows = fillGaps(page.candles, from, storedUntil, ms, await candleBefore(db, market, from));
        await insertCandles(db, market, rows);
        summary.stored += rows.length;
        summary.filled += rows.filter((r) => r.filled).length;
        if (!page.movedOn) {
          summary.unpublished = left - (storedUntil - from) / ms;
          progress.advance(left, `${market.symbol} ${formatTime(storedUntil)}`);
          break ranges;
        }
        left -= (until - from) / ms;
        progress.advance((until - from) / ms, `${market.symbol} ${formatTime(until)}`);
        from = until;
      }
    }
  }
  progress.end();
  return summaries;
}

const formatWait = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);
