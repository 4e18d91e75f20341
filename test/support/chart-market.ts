// Fixtures for the market chart: stored candles (some filled) and executions with signals, entries and exits on them.
import type { Db } from "../../db/store/client";
import { newId } from "../../db/platform/ids";
import { insertCandles, type Market, type StoredCandle } from "../../db/store/queries/candles";
import { recordExecution } from "../../db/store/queries/executions";
import { RESOLUTION_MS, type Resolution } from "../../db/contracts/domain";
import { sampleCandles } from "../../worker/runtime/sample-candles";

/** Stores `count` sample candles from `start`; the candles at `filled` are stored flat at the previous close. */
export async function storeSampleCandles(
  db: Db,
  market: Market & { resolution: Resolution },
  opts: { count: number; start: number; filled?: number[]; seed?: number; startPrice?: number },
): Promise<StoredCandle[]> {
  const sample = sampleCandles(opts.count, {
    start: opts.start,
    resolutionMs: RESOLUTION_MS[market.resolution],
    seed: opts.seed,
    startPrice: opts.startPrice,
  });
  const filled = new Set(opts.filled ?? []);
  const rows: StoredCandle[] = [];
  for (const [i, c] of sample.entries()) {
    const previous = rows[i - 1]?.close ?? c.open;
    rows.push(
      filled.has(i)
        ? {
            time: c.time,
            open: previous,
            high: previous,
            low: previous,
            close: previous,
            volume: 0,
            filled: true,
          }
        : { ...c, filled: false },
    );
  }
  await insertCandles(db, market, rows);
  return rows;
}

export interface SignalFixture {
  strategyId: string;
  versionId: string;
  symbol: string;
  resolution: Resolution;
  closeTime: number;
  source: string;
  signal: "BUY" | "SELL" | "CLOSE" | "HOLD";
  price: number;
  status?: "COMPLETED" | "FAILED";
  /** Positions this execution opens, at `price`. */
  opens?: { subscriptionId: string; userId: string; side: "LONG" | "SHORT" }[];
  /** Open positions this execution closes. */
  closes?: { tradeId: string; exitPrice: number; pnl: number; exitReason: string }[];
}

/** Records one execution as the worker does; returns the ids of the trades it opened, in `opens` order. */
async function recordSignal(db: Db, s: SignalFixture): Promise<string[]> {
  const opened = (s.opens ?? []).map((o) => ({ ...o, id: newId() }));
  const status = s.status ?? "COMPLETED";
  await recordExecution(db, {
    execution: {
      id: newId(),
      strategyId: s.strategyId,
      versionId: s.versionId,
      symbol: s.symbol,
      resolution: s.resolution,
      closeTime: s.closeTime,
      marketSource: s.source,
      status,
      signal: status === "COMPLETED" ? s.signal : null,
      price: s.price,
      subscriberCount: opened.length,
      startedAt: s.closeTime,
      finishedAt: s.closeTime + 50,
    },
    trades: opened.map((o) => ({
      id: o.id,
      subscriptionId: o.subscriptionId,
      userId: o.userId,
      symbol: s.symbol,
      status: "open" as const,
      side: o.side,
      quantity: 0.01,
      entryPrice: s.price,
    })),
    closes: (s.closes ?? []).map((c) => ({ ...c, exitFee: 0 })),
  });
  return opened.map((o) => o.id);
}

/** `at(i, signal, more)` records the strategy's execution at the close of `candles[i]`, priced at its close. */
export function signalsOn(
  db: Db,
  strategy: { id: string; versionId: string },
  market: Market & { resolution: Resolution },
  candles: StoredCandle[],
) {
  const ms = RESOLUTION_MS[market.resolution];
  return (i: number, signal: SignalFixture["signal"], more: Partial<SignalFixture> = {}) =>
    recordSignal(db, {
      strategyId: strategy.id,
      versionId: strategy.versionId,
      symbol: market.symbol,
      resolution: market.resolution,
      source: market.source,
      closeTime: candles[i].time + ms,
      signal,
      price: candles[i].close,
      ...more,
    });
}
