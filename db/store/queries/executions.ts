// Executions: recording a candle's whole result in one write batch (the claim and its lease: leases.ts).
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { PREVIOUS_CHANGED_ONE_ROW, writeBatch, type BatchStatement } from "../write-batch";
import { SIMULATED_SOURCE, utcDayStart } from "../../contracts/domain";
import type { NewEvent } from "../../contracts/events";
import type { OrderLeg } from "../../contracts/order-states";
import { executions, type ExecutionStatus } from "../schema";
import { STORE_NOW_MS } from "./leases";

/** The identity of one candle of one strategy: at most one execution row exists per key. */
export interface CandleKey {
  strategyId: string;
  symbol: string;
  resolution: string;
  closeTime: number;
}

export interface ExecutionResult extends CandleKey {
  id: string;
  versionId: string | null;
  /** Where the candles came from; a claimed row already has it. */
  marketSource?: string;
  status: Exclude<ExecutionStatus, "RUNNING">;
  signal?: string | null;
  confidence?: number | null;
  price?: number | null;
  stopLossHint?: number | null;
  takeProfitHint?: number | null;
  reason?: string | null;
  subscriberCount: number;
  errorKind?: string | null;
  errorMessage?: string | null;
  log?: string | null;
  startedAt: number;
  finishedAt: number;
  runMs?: number | null;
  fanoutMs?: number | null;
  workerId?: string | null;
}

/** A trade row this execution creates for one subscription: an opened position or a recorded skip. */
export interface NewTrade {
  id: string;
  subscriptionId: string;
  userId: string;
  symbol: string;
  status: "open" | "skipped" | "rejected";
  side?: "LONG" | "SHORT" | null;
  quantity?: number | null;
  entryPrice?: number | null;
  stopLoss?: number | null;
  takeProfit?: number | null;
  entryFee?: number | null;
  clientOrderId?: string | null;
  reason?: string | null;
}

/** This execution closes an earlier open trade (stop-loss, take-profit, opposite signal, CLOSE). */
export interface TradeClose {
  tradeId: string;
  exitPrice: number;
  exitFee: number;
  pnl: number;
  exitReason: string;
  /**
   * 00:00 UTC of the day the P&L is booked on (the daily-loss bucket, ADR 032): for a stop or target
   * the day the touching candle covers, which may be before the execution's day. Default: the execution's day.
   */
  pnlDay?: number;
}

/** An exchange order intent, committed "pending" with the trade it opens or closes (db/contracts/order-states.ts). */
export interface NewOrder {
  id: string;
  tradeId: string;
  brokerAccountId: string;
  leg: OrderLeg;
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  quantity: number;
  referencePrice: number;
}

export interface RecordExecutionInput {
  execution: ExecutionResult;
  trades?: NewTrade[];
  closes?: TradeClose[];
  events?: NewEvent[];
  orders?: NewOrder[];
}

export type RecordExecutionResult =
  | {
      status: "recorded";
      executionId: string;
      tradesCreated: number;
      tradesClosed: number;
      /** Exchange orders committed "pending", to send after the commit. */
      ordersCreated: number;
      /** The outbox sequence range written, inclusive; null when no events. */
      eventSeqs: { first: number; last: number } | null;
    }
  | { status: "already_recorded"; executionId: string | null; existingStatus: ExecutionStatus | null };

export async function findExecution(db: Db, key: CandleKey) {
  return db.query.executions.findFirst({
    where: and(
      eq(executions.strategyId, key.strategyId),
      eq(executions.symbol, key.symbol),
      eq(executions.resolution, key.resolution),
      eq(executions.closeTime, key.closeTime),
    ),
  });
}

/**
 * Writes an execution's whole result as ONE write batch (ADR 155): the execution row (new, or completing the
 * RUNNING row this worker claimed with the same id, while its lease holds: ADR 150), every trade, every close of an earlier trade, the
 * subscriptions' metrics, the exchange orders and the outbox events. Idempotent: if the candle already has a
 * terminal row, or a RUNNING row claimed by someone else, the upsert changes nothing, the guard after it aborts
 * the batch and nothing is written.
 *
 * Rows travel as one JSON parameter per statement and are expanded by SQLite's json_each: one
 * statement per table whatever N is, without binding N × columns parameters. Event payloads travel
 * as JSON inside it and are stored as their JSON text (`-> 2`), so they are encoded once, not twice.
 */
export async function recordExecution(db: Db, input: RecordExecutionInput): Promise<RecordExecutionResult> {
  const e = input.execution;
  const trades = input.trades ?? [];
  const closes = input.closes ?? [];
  const events = input.events ?? [];
  const orders = input.orders ?? [];
  const tradesCreated = trades.filter((t) => t.status === "open").length;

  const statements: BatchStatement[] = [];
  /** Adds a statement; returns its index in the batch's results. */
  const add = (statement: BatchStatement) => statements.push(statement) - 1;

  add(sql`
    INSERT INTO executions (id, strategy_id, version_id, symbol, resolution, close_time, market_source,
      status, signal, confidence, price, stop_loss_hint, take_profit_hint, reason, subscriber_count,
      trades_created, error_kind, error_message, log, started_at, finished_at, run_ms, fanout_ms, worker_id)
    VALUES (${e.id}, ${e.strategyId}, ${e.versionId}, ${e.symbol}, ${e.resolution}, ${e.closeTime},
      ${e.marketSource ?? SIMULATED_SOURCE}, ${e.status}, ${e.signal ?? null}, ${e.confidence ?? null}, ${e.price ?? null},
      ${e.stopLossHint ?? null}, ${e.takeProfitHint ?? null}, ${e.reason ?? null}, ${e.subscriberCount},
      ${tradesCreated}, ${e.errorKind ?? null}, ${e.errorMessage ?? null}, ${e.log ?? null},
      ${e.startedAt}, ${e.finishedAt}, ${e.runMs ?? null}, ${e.fanoutMs ?? null}, ${e.workerId ?? null})
    ON CONFLICT (strategy_id, symbol, resolution, close_time) DO UPDATE SET
      version_id = excluded.version_id, status = excluded.status, signal = excluded.signal,
      confidence = excluded.confidence, price = excluded.price, stop_loss_hint = excluded.stop_loss_hint,
      take_profit_hint = excluded.take_profit_hint, reason = excluded.reason,
      subscriber_count = excluded.subscriber_count, trades_created = excluded.trades_created,
      error_kind = excluded.error_kind, error_message = excluded.error_message, log = excluded.log,
      finished_at = excluded.finished_at, run_ms = excluded.run_ms, fanout_ms = excluded.fanout_ms,
      worker_id = excluded.worker_id
    WHERE executions.status = 'RUNNING' AND executions.id = excluded.id
      AND executions.lease_until >= ${STORE_NOW_MS}`);
  add(PREVIOUS_CHANGED_ONE_ROW);

  if (trades.length > 0) {
    const rows = trades.map((t) => [
      t.id,
      t.subscriptionId,
      t.userId,
      t.symbol,
      t.side ?? null,
      t.status,
      t.quantity ?? null,
      t.entryPrice ?? null,
      t.stopLoss ?? null,
      t.takeProfit ?? null,
      t.entryFee ?? null,
      t.clientOrderId ?? null,
      t.reason ?? null,
    ]);
    add(sql`
      INSERT INTO trades (id, subscription_id, user_id, symbol, side, status, quantity, entry_price,
        stop_loss, take_profit, entry_fee, client_order_id, reason, execution_id, strategy_id, opened_at)
      SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5,
        j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, j.value ->> 10, j.value ->> 11,
        j.value ->> 12, ${e.id}, ${e.strategyId}, ${e.closeTime}
      FROM json_each(${JSON.stringify(rows)}) AS j`);
  }

  // Metrics first, from the opened trades and from the closes whose trade is STILL open: a close that
  // lost a race changes neither the trade nor the metrics. Computed in SQL, so closing 10,000 trades
  // does not have to return them to JavaScript.
  const openedBy = trades.filter((t) => t.status === "open").map((t) => t.subscriptionId);
  const day = utcDayStart(e.closeTime);
  const closesJson = JSON.stringify(
    closes.map((c) => [c.tradeId, c.exitPrice, c.exitFee, c.pnl, c.exitReason, c.pnlDay ?? day]),
  );
  if (openedBy.length > 0 || closes.length > 0) {
    // Only P&L booked on the execution's day enters today's bucket; an earlier day's is past its limit.
    add(sql`
      UPDATE subscriptions SET trades_count = trades_count + m.d_opened, wins = wins + m.d_wins,
        losses = losses + m.d_losses, total_pnl = total_pnl + m.d_pnl,
        pnl_today = CASE WHEN pnl_day_start = ${day} THEN pnl_today + m.d_today ELSE m.d_today END,
        pnl_day_start = ${day}
      FROM (SELECT sid, sum(o) AS d_opened, sum(w) AS d_wins, sum(l) AS d_losses, total(p) AS d_pnl,
              total(CASE WHEN pd = ${day} THEN p ELSE 0 END) AS d_today
            FROM (SELECT j.value AS sid, 1 AS o, 0 AS w, 0 AS l, 0.0 AS p, ${day} AS pd
                  FROM json_each(${JSON.stringify(openedBy)}) AS j
                  UNION ALL
                  SELECT t.subscription_id, 0, (c.value ->> 3) > 0, (c.value ->> 3) <= 0, c.value ->> 3, c.value ->> 5
                  FROM json_each(${closesJson}) AS c
                  JOIN trades AS t ON t.id = c.value ->> 0 AND t.status = 'open')
            GROUP BY sid) AS m
      WHERE subscriptions.id = m.sid`);
  }
  const closed =
    closes.length === 0
      ? null
      : add(sql`
      UPDATE trades SET status = 'closed', exit_price = c.c_exit_price, exit_fee = c.c_exit_fee,
        pnl = c.c_pnl, exit_reason = c.c_exit_reason, exit_execution_id = ${e.id}, closed_at = ${e.closeTime}
      FROM (SELECT j.value ->> 0 AS c_id, j.value ->> 1 AS c_exit_price, j.value ->> 2 AS c_exit_fee,
              j.value ->> 3 AS c_pnl, j.value ->> 4 AS c_exit_reason
            FROM json_each(${closesJson}) AS j) AS c
      WHERE trades.id = c.c_id AND trades.status = 'open'`);

  // A close that lost a race closed nothing, so it sends nothing: exit orders only for trades this
  // execution closed, entry orders only for trades it opened.
  const placed =
    orders.length === 0
      ? null
      : add(
          insertPendingOrders(
            e.id,
            e.finishedAt,
            orders,
            sql`(j.value ->> 3 = 'open' AND t.execution_id = ${e.id} AND t.status = 'open')
              OR (j.value ->> 3 = 'close' AND t.exit_execution_id = ${e.id})`,
          ),
        );

  const appended =
    events.length === 0
      ? null
      : add(sql`
      INSERT INTO events (user_id, type, payload, created_at)
      SELECT j.value ->> 0, j.value ->> 1, j.value -> 2, ${e.finishedAt}
      FROM json_each(${JSON.stringify(events.map((ev) => [ev.userId, ev.type, ev.payload ?? null]))}) AS j`);

  const results = await writeBatch(db, statements);
  if (results === null) {
    const existing = await findExecution(db, e);
    return {
      status: "already_recorded",
      executionId: existing?.id ?? null,
      existingStatus: existing?.status ?? null,
    };
  }
  // One INSERT inside a write transaction gets consecutive AUTOINCREMENT values.
  const lastSeq = appended === null ? 0 : Number(results[appended].lastInsertRowid);
  return {
    status: "recorded",
    executionId: e.id,
    tradesCreated,
    tradesClosed: closed === null ? 0 : results[closed].rowsAffected,
    ordersCreated: placed === null ? 0 : results[placed].rowsAffected,
    eventSeqs: appended === null ? null : { first: lastSeq - events.length + 1, last: lastSeq },
  };
}

/**
 * Commits exchange orders `pending` under `executionId` (the id their client ids derive from), each only
 * when its trade (`t`, the row `j.value ->> 1` names; `j.value ->> 3` is the leg) passes `where`.
 */
export function insertPendingOrders(executionId: string, createdAt: number, orders: NewOrder[], where: SQL) {
  return sql`
    INSERT INTO orders (id, trade_id, execution_id, broker_account_id, leg, client_order_id, symbol, side,
      quantity, reference_price, state, created_at)
    SELECT j.value ->> 0, j.value ->> 1, ${executionId}, j.value ->> 2, j.value ->> 3, j.value ->> 4,
      j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, 'pending', ${createdAt}
    FROM json_each(${JSON.stringify(
      orders.map((o) => [
        o.id,
        o.tradeId,
        o.brokerAccountId,
        o.leg,
        o.clientOrderId,
        o.symbol,
        o.side,
        o.quantity,
        o.referencePrice,
      ]),
    )}) AS j
    JOIN trades AS t ON t.id = j.value ->> 1
    WHERE ${where}`;
}

/** Finishes a RUNNING execution without a result (runtime error, no candles...). Fenced like recordExecution. */
export async function failExecution(
  db: Db,
  id: string,
  failure: {
    status?: "FAILED" | "SKIPPED";
    errorKind: string;
    errorMessage: string;
    log?: string | null;
    finishedAt: number;
  },
): Promise<boolean> {
  const rows = await db
    .update(executions)
    .set({
      status: failure.status ?? "FAILED",
      errorKind: failure.errorKind,
      errorMessage: failure.errorMessage,
      log: failure.log ?? null,
      finishedAt: failure.finishedAt,
    })
    .where(
      and(
        eq(executions.id, id),
        eq(executions.status, "RUNNING"),
        sql`${executions.leaseUntil} >= ${STORE_NOW_MS}`,
      ),
    )
    .returning({ id: executions.id });
  return rows.length === 1;
}

/** The sources the strategy's executions read candles from: what its live figures were computed on. */
export async function listMarketSources(db: Db, strategyId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ source: executions.marketSource })
    .from(executions)
    .where(eq(executions.strategyId, strategyId));
  return rows.map((r) => r.source).sort();
}
