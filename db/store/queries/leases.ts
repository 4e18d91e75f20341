// Claims as leases (ADR 150): a RUNNING row belongs to its worker until its lease lapses, on the store's clock.
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { SIMULATED_SOURCE } from "../../contracts/domain";
import type { CandleKey } from "./executions";

/**
 * The store's clock, epoch ms. Every lease is set and judged by it, so workers on hosts whose clocks
 * differ, or a worker that was paused, agree on whether a lease has lapsed.
 */
export const STORE_NOW_MS = sql`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;

export interface Claim extends CandleKey {
  id: string;
  versionId: string | null;
  marketSource?: string;
  startedAt: number;
  workerId: string;
  leaseMs: number;
}

/**
 * Claims a candle by inserting its RUNNING row with a lease. The unique (strategy, symbol, resolution,
 * close time) index is the fence: a second claimant gets `false` and must not run the strategy.
 */
export async function claimExecution(db: Db, claim: Claim): Promise<boolean> {
  // Plain SQL: this runs once per candle on the hot path, where the query builder's cost shows.
  const rows = await db.all<{ id: string }>(sql`
    INSERT INTO executions (id, strategy_id, version_id, symbol, resolution, close_time, market_source, status,
      started_at, worker_id, lease_until)
    VALUES (${claim.id}, ${claim.strategyId}, ${claim.versionId}, ${claim.symbol}, ${claim.resolution},
      ${claim.closeTime}, ${claim.marketSource ?? SIMULATED_SOURCE}, 'RUNNING', ${claim.startedAt}, ${claim.workerId},
      ${STORE_NOW_MS} + ${claim.leaseMs})
    ON CONFLICT DO NOTHING
    RETURNING id`);
  return rows.length === 1;
}

/**
 * Takes over the RUNNING row `previousId` if its lease has lapsed: the row gets the new claim's id,
 * worker and lease, so the previous holder's commit (which names the old id) is refused. A RUNNING row
 * has no trades, closes, orders or events yet, so nothing refers to the old id.
 */
export async function takeOverExecution(db: Db, previousId: string, claim: Claim): Promise<boolean> {
  const rows = await db.all<{ id: string }>(sql`
    UPDATE executions SET id = ${claim.id}, worker_id = ${claim.workerId}, started_at = ${claim.startedAt},
      market_source = ${claim.marketSource ?? SIMULATED_SOURCE}, lease_until = ${STORE_NOW_MS} + ${claim.leaseMs}
    WHERE id = ${previousId} AND status = 'RUNNING' AND coalesce(lease_until, 0) < ${STORE_NOW_MS}
    RETURNING id`);
  return rows.length === 1;
}

/** Extends a lease still held; false once it lapsed or was taken over (the work is then fenced). */
export async function renewLease(db: Db, id: string, leaseMs: number): Promise<boolean> {
  const rows = await db.all<{ id: string }>(sql`
    UPDATE executions SET lease_until = ${STORE_NOW_MS} + ${leaseMs}
    WHERE id = ${id} AND status = 'RUNNING' AND lease_until >= ${STORE_NOW_MS}
    RETURNING id`);
  return rows.length === 1;
}

/** RUNNING rows whose lease lapsed, oldest first: candles a gone worker left, for another to take over. */
export async function listLapsedLeases(db: Db, limit: number): Promise<CandleKey[]> {
  const rows = await db.all<{
    strategy_id: string;
    symbol: string;
    resolution: string;
    close_time: number;
  }>(sql`
    SELECT strategy_id, symbol, resolution, close_time FROM executions
    WHERE status = 'RUNNING' AND coalesce(lease_until, 0) < ${STORE_NOW_MS}
    ORDER BY lease_until LIMIT ${limit}`);
  return rows.map((r) => ({
    strategyId: r.strategy_id,
    symbol: r.symbol,
    resolution: r.resolution,
    closeTime: Number(r.close_time),
  }));
}

/**
 * The janitor's backstop: RUNNING rows whose lease lapsed more than `graceMs` ago (nobody could take
 * them over) become FAILED `stuck`. Never creates a row.
 */
export async function failStuckExecutions(db: Db, graceMs: number, finishedAt: number): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`
    UPDATE executions SET status = 'FAILED', error_kind = 'stuck',
      error_message = 'The worker running this execution stopped before finishing it, and no other worker took it over (found by the janitor).',
      finished_at = ${finishedAt}
    WHERE status = 'RUNNING' AND coalesce(lease_until, 0) < ${STORE_NOW_MS} - ${graceMs}
    RETURNING id`);
  return rows.map((r) => r.id);
}
