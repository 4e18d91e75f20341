// The worker's scheduling reads: which candles have active subscribers, and which closes of a window already ran.
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../../platform/ids";

/** One (strategy, symbol, resolution) that has at least one active subscription. */
export interface ActiveCandle {
  strategyId: string;
  symbol: string;
  resolution: string;
  /**
   * The earliest `updated_at` among its active subscriptions: closes before it are never "missed"
   * (nobody was subscribed, or the subscription was paused then).
   */
  since: number;
}

/**
 * Every market a strategy must run on: each active subscription follows its pinned version or the
 * strategy's latest one, and that version names the symbols and the resolution.
 */
export async function listActiveCandles(db: Db): Promise<ActiveCandle[]> {
  const rows = await db.all<{ strategy_id: string; symbol: string; resolution: string; since: number }>(sql`
    SELECT s.strategy_id, sym.value AS symbol, v.resolution, min(s.updated_at) AS since
    FROM subscriptions s
    JOIN strategies st ON st.id = s.strategy_id
    JOIN strategy_versions v ON v.id = coalesce(s.pinned_version_id, st.latest_version_id)
    JOIN json_each(v.symbols) sym
    WHERE s.status = 'active'
    GROUP BY s.strategy_id, sym.value, v.resolution`);
  return rows.map((r) => ({
    strategyId: r.strategy_id,
    symbol: r.symbol,
    resolution: r.resolution,
    since: Number(r.since),
  }));
}

export interface CloseWindow {
  strategyId: string;
  symbol: string;
  resolution: string;
  /** Inclusive. */
  from: number;
  /** Exclusive. */
  to: number;
}

/**
 * The close times that already have an execution row (any status) inside each window, keyed by the
 * window's index in `windows`. One statement whatever the number of windows: the candle unique
 * index serves each window as a range scan.
 */
export async function listExecutedCloses(db: Db, windows: CloseWindow[]): Promise<Map<number, number[]>> {
  const byWindow = new Map<number, number[]>();
  if (windows.length === 0) return byWindow;
  const rows = await db.all<{ w: number; close_time: number }>(sql`
    SELECT CAST(k.key AS INTEGER) AS w, e.close_time
    FROM json_each(${JSON.stringify(windows.map((w) => [w.strategyId, w.symbol, w.resolution, w.from, w.to]))}) AS k
    JOIN executions e
      ON e.strategy_id = k.value ->> 0 AND e.symbol = k.value ->> 1 AND e.resolution = k.value ->> 2
     AND e.close_time >= k.value ->> 3 AND e.close_time < k.value ->> 4`);
  for (const row of rows) {
    const w = Number(row.w);
    let list = byWindow.get(w);
    if (!list) byWindow.set(w, (list = []));
    list.push(Number(row.close_time));
  }
  return byWindow;
}

/**
 * Records closes nobody executed as SKIPPED "missed" (the catch-up policy, docs/decisions/041).
 * Fenced like every execution write: a close that has a row by now keeps it.
 */
export async function recordMissedCloses(
  db: Db,
  missed: { strategyId: string; symbol: string; resolution: string; closeTime: number }[],
  opts: { now: number; workerId: string; detail: string },
): Promise<number> {
  if (missed.length === 0) return 0;
  const rows = missed.map((m) => [newId(), m.strategyId, m.symbol, m.resolution, m.closeTime]);
  const inserted = await db.all<{ id: string }>(sql`
    INSERT INTO executions (id, strategy_id, symbol, resolution, close_time, status, reason, error_kind,
      error_message, subscriber_count, trades_created, started_at, finished_at, worker_id)
    SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, 'SKIPPED', 'missed',
      'missed', ${opts.detail}, 0, 0, ${opts.now}, ${opts.now}, ${opts.workerId}
    FROM json_each(${JSON.stringify(rows)}) AS j
    WHERE true
    ON CONFLICT (strategy_id, symbol, resolution, close_time) DO NOTHING
    RETURNING id`);
  return inserted.length;
}
