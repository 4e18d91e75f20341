// The kill switch's store side (ADR 148): what a "close all" would touch, the pause it starts with, and the
// closes with their exit orders and events as ONE write batch.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { writeBatch } from "../write-batch";
import { utcDayStart } from "../../contracts/domain";
import type { TradeClosed } from "../../contracts/events";
import { PROTECTIVE_LEGS } from "../../contracts/order-states";
import { brokerAccounts, subscriptions, type EventRow } from "../schema";
import { insertPendingOrders, type NewOrder } from "./executions";

/** `a, b, c` as bound parameters, for an `IN (…)`. */
const sqlList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** A protective leg in one of these states may still rest on the exchange: the kill switch takes it off. */
const RESTING_STATES = ["pending", "sent", "open", "partially_filled", "unknown"] as const;

/** A subscription's pause columns before the kill switch paused it. */
export interface PausedBefore {
  id: string;
  pausedAt: number | null;
  updatedAt: number;
}

export type CloseAllTarget = { subscriptionId: string } | { brokerAccountId: string };

export interface CloseAllScope {
  brokerAccountId: string;
  /** Every subscription of the target, cancelled ones too (they may still hold open trades). */
  subscriptionIds: string[];
  /** The active ones among them, as they are: the kill switch pauses these (and restores them on failure). */
  active: PausedBefore[];
  openTrades: number;
  restingOrders: number;
}

/** What a close-all of the user's subscription or broker account would touch; null when it is not theirs. */
export async function readCloseAllScope(
  db: Db,
  userId: string,
  target: CloseAllTarget,
): Promise<CloseAllScope | null> {
  let rows: (PausedBefore & { status: string; brokerAccountId: string })[];
  const columns = {
    id: subscriptions.id,
    status: subscriptions.status,
    brokerAccountId: subscriptions.brokerAccountId,
    pausedAt: subscriptions.pausedAt,
    updatedAt: subscriptions.updatedAt,
  };
  if ("subscriptionId" in target) {
    rows = await db
      .select(columns)
      .from(subscriptions)
      .where(and(eq(subscriptions.id, target.subscriptionId), eq(subscriptions.userId, userId)));
    if (rows.length === 0) return null;
  } else {
    const account = await db.query.brokerAccounts.findFirst({
      where: and(eq(brokerAccounts.id, target.brokerAccountId), eq(brokerAccounts.userId, userId)),
      columns: { id: true },
    });
    if (!account) return null;
    rows = await db
      .select(columns)
      .from(subscriptions)
      .where(and(eq(subscriptions.brokerAccountId, account.id), eq(subscriptions.userId, userId)));
  }
  const brokerAccountId = "brokerAccountId" in target ? target.brokerAccountId : rows[0].brokerAccountId;
  const subscriptionIds = rows.map((r) => r.id);
  return {
    brokerAccountId,
    subscriptionIds,
    active: rows
      .filter((r) => r.status === "active")
      .map(({ id, pausedAt, updatedAt }) => ({ id, pausedAt, updatedAt })),
    ...(await countOpenPositions(db, subscriptionIds)),
  };
}

/** Open trades of the subscriptions, and the protective orders of those trades that may still rest. */
export async function countOpenPositions(
  db: Db,
  subscriptionIds: string[],
): Promise<{ openTrades: number; restingOrders: number }> {
  if (subscriptionIds.length === 0) return { openTrades: 0, restingOrders: 0 };
  const [row] = await db.all<{ openTrades: number; restingOrders: number }>(sql`
    SELECT count(DISTINCT t.id) AS openTrades, count(o.id) AS restingOrders
    FROM trades t LEFT JOIN orders o ON o.trade_id = t.id
      AND o.leg IN (${sqlList(PROTECTIVE_LEGS)})
      AND o.state IN (${sqlList(RESTING_STATES)})
    WHERE t.status = 'open' AND t.subscription_id IN (${sqlList(subscriptionIds)})`);
  return { openTrades: Number(row.openTrades), restingOrders: Number(row.restingOrders) };
}

/** Pauses the active ones of `ids` at `now`; the ones it paused (with their strategy, for the announcement). */
export async function pauseForCloseAll(db: Db, ids: string[], now: number) {
  if (ids.length === 0) return [];
  return db
    .update(subscriptions)
    .set({ status: "paused", pausedAt: now, updatedAt: now })
    .where(and(inArray(subscriptions.id, ids), eq(subscriptions.status, "active")))
    .returning({ id: subscriptions.id, strategyId: subscriptions.strategyId, status: subscriptions.status });
}

/** Takes back pauseForCloseAll(…, pausedAt) when its job could not be queued: each row as it was before. */
export async function undoCloseAllPause(db: Db, before: PausedBefore[], pausedAt: number) {
  if (before.length === 0) return;
  await db.run(sql`
    UPDATE subscriptions SET status = 'active', paused_at = j.value ->> 1, updated_at = j.value ->> 2
    FROM json_each(${JSON.stringify(before.map((b) => [b.id, b.pausedAt, b.updatedAt]))}) AS j
    WHERE subscriptions.id = j.value ->> 0 AND subscriptions.status = 'paused'
      AND subscriptions.paused_at = ${pausedAt}`);
}

/** An open trade the kill switch closes, with the price it closes a paper trade at. */
export interface TradeToClose {
  id: string;
  subscriptionId: string;
  userId: string;
  symbol: string;
  side: "LONG" | "SHORT";
  quantity: number;
  entryPrice: number;
  entryFee: number | null;
  brokerAccountId: string;
  brokerKind: "paper" | "exchange";
  /**
   * The latest stored close of the trade's market (its entry's source and resolution), else the latest
   * execution price of its strategy on the symbol, else its entry price.
   */
  latestPrice: number;
}

export async function listTradesToClose(db: Db, subscriptionIds: string[]): Promise<TradeToClose[]> {
  if (subscriptionIds.length === 0) return [];
  return db.all<TradeToClose>(sql`
    SELECT t.id, t.subscription_id AS subscriptionId, t.user_id AS userId, t.symbol, t.side, t.quantity,
      t.entry_price AS entryPrice, t.entry_fee AS entryFee, s.broker_account_id AS brokerAccountId,
      b.kind AS brokerKind,
      coalesce(
        (SELECT c.close FROM candles c WHERE c.source = e.market_source AND c.symbol = t.symbol
           AND c.resolution = e.resolution ORDER BY c.time DESC LIMIT 1),
        (SELECT x.price FROM executions x WHERE x.strategy_id = t.strategy_id AND x.symbol = t.symbol
           AND x.price IS NOT NULL ORDER BY x.close_time DESC LIMIT 1),
        t.entry_price) AS latestPrice
    FROM trades t
      JOIN subscriptions s ON s.id = t.subscription_id
      JOIN broker_accounts b ON b.id = s.broker_account_id
      JOIN executions e ON e.id = t.execution_id
    WHERE t.status = 'open' AND t.subscription_id IN (${sqlList(subscriptionIds)})
    ORDER BY t.opened_at, t.id`);
}

/**
 * Executions of the subscriptions' strategies still RUNNING that started at or before `pausedAt`: they may
 * have read the subscriptions as active and still open a trade after the kill switch has closed the rest.
 */
export async function countExecutionsStartedBefore(
  db: Db,
  subscriptionIds: string[],
  pausedAt: number,
): Promise<number> {
  if (subscriptionIds.length === 0) return 0;
  const [row] = await db.all<{ n: number }>(sql`
    SELECT count(*) AS n FROM executions
    WHERE status = 'RUNNING' AND started_at <= ${pausedAt} AND strategy_id IN (
      SELECT strategy_id FROM subscriptions WHERE id IN (${sqlList(subscriptionIds)}))`);
  return Number(row.n);
}

/** One trade the kill switch closes: the paper fill maths' figures (an exchange exit's fill replaces them). */
export interface KillSwitchClose {
  tradeId: string;
  subscriptionId: string;
  exitPrice: number;
  exitFee: number;
  pnl: number;
}

/**
 * ONE write batch (ADR 155): each trade still open closes with exit reason `kill_switch` at `closedAt`, its
 * subscription's figures move by its P&L (today's bucket on the close's day), the exchange trades' market
 * exits are committed `pending` (run id standing in for the execution: the client ids derive from it), and
 * a "trade.closed" event per trade. A trade closed meanwhile (a signal, a stop) is left as it is and gets
 * neither an order nor an event. Returns how many trades it closed and the events to publish.
 */
export async function recordCloseAll(
  db: Db,
  input: { runId: string; closedAt: number; closes: KillSwitchClose[]; orders: NewOrder[] },
): Promise<{ closed: number; events: EventRow[] }> {
  if (input.closes.length === 0) return { closed: 0, events: [] };
  const day = utcDayStart(input.closedAt);
  const closesJson = JSON.stringify(input.closes.map((c) => [c.tradeId, c.exitPrice, c.exitFee, c.pnl]));
  const statements = [
    // Figures first, from the closes whose trade is still open.
    sql`
      UPDATE subscriptions SET wins = wins + m.d_wins, losses = losses + m.d_losses, total_pnl = total_pnl + m.d_pnl,
        pnl_today = CASE WHEN pnl_day_start = ${day} THEN pnl_today + m.d_pnl
          WHEN pnl_day_start < ${day} THEN m.d_pnl ELSE pnl_today END,
        pnl_day_start = max(pnl_day_start, ${day})
      FROM (SELECT t.subscription_id AS sid, sum((c.value ->> 3) > 0) AS d_wins,
              sum((c.value ->> 3) <= 0) AS d_losses, total(c.value ->> 3) AS d_pnl
            FROM json_each(${closesJson}) AS c JOIN trades AS t ON t.id = c.value ->> 0 AND t.status = 'open'
            GROUP BY t.subscription_id) AS m
      WHERE subscriptions.id = m.sid`,
    sql`
      UPDATE trades SET status = 'closed', exit_price = c.value ->> 1, exit_fee = c.value ->> 2,
        pnl = c.value ->> 3, exit_reason = 'kill_switch', exit_execution_id = ${input.runId},
        closed_at = ${input.closedAt}
      FROM json_each(${closesJson}) AS c
      WHERE trades.id = c.value ->> 0 AND trades.status = 'open'`,
    // The payloads travel as JSON and are stored as their text (`-> 1`): every digit of each price kept.
    sql`
      INSERT INTO events (user_id, type, payload, created_at)
      SELECT t.user_id, 'trade.closed', e.value -> 1, ${Date.now()}
      FROM json_each(${JSON.stringify(
        input.closes.map((c) => [
          c.tradeId,
          {
            subscriptionId: c.subscriptionId,
            tradeId: c.tradeId,
            exitPrice: c.exitPrice,
            pnl: c.pnl,
            exitReason: "kill_switch",
          } satisfies TradeClosed,
        ]),
      )}) AS e
      JOIN trades AS t ON t.id = e.value ->> 0 AND t.exit_execution_id = ${input.runId}
      RETURNING seq, user_id AS userId, type, payload, created_at AS createdAt`,
  ];
  if (input.orders.length > 0)
    statements.push(
      insertPendingOrders(
        input.runId,
        Date.now(),
        input.orders,
        sql`t.exit_execution_id = ${input.runId} AND t.exit_reason = 'kill_switch'`,
      ),
    );
  const results = (await writeBatch(db, statements))!;
  const events = results[2].rows.map((r): EventRow => ({
    seq: Number(r.seq),
    userId: r.userId === null ? null : String(r.userId),
    type: String(r.type),
    payload: String(r.payload),
    createdAt: Number(r.createdAt),
  }));
  return { closed: results[1].rowsAffected, events };
}

/** Whether a close order is a kill-switch exit: sent however late (the freshness rule is for signals). */
export async function isKillSwitchExit(db: Db, order: { tradeId: string; leg: string }): Promise<boolean> {
  if (order.leg !== "close") return false;
  const [row] = await db.all<{ reason: string | null }>(
    sql`SELECT exit_reason AS reason FROM trades WHERE id = ${order.tradeId}`,
  );
  return row?.reason === "kill_switch";
}
