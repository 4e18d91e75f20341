// The coordinator's fan-out reads: every active subscription of a strategy with its broker kind, and their open trades.
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../client";
import { utcDayStart } from "../../contracts/domain";
import type { TradeFilled } from "../../contracts/events";
import { events, type EventRow } from "../schema";
import type { RiskSettings } from "../../contracts/validation/risk-settings";

export interface FanOutSubscription extends RiskSettings {
  id: string;
  userId: string;
  pinnedVersionId: string | null;
  brokerAccountId: string;
  brokerKind: "paper" | "exchange";
  pnlDayStart: number;
  pnlToday: number;
  /** Realized P&L since the subscription started: capital + this <= 0 opens nothing (ADR 125). */
  totalPnl: number;
}

export interface OpenTrade {
  id: string;
  subscriptionId: string;
  symbol: string;
  side: "LONG" | "SHORT";
  quantity: number;
  entryPrice: number;
  stopLoss: number | null;
  takeProfit: number | null;
  entryFee: number | null;
  openedAt: number;
}

/**
 * Rows come back as ONE JSON text built by SQLite (json_group_array) and parsed natively: at 10,000
 * rows that is 3-4x faster than the driver building a row object per row (~25 ms against ~110 ms).
 */
async function jsonRows(db: Db, query: ReturnType<typeof sql>): Promise<unknown[][]> {
  const [row] = await db.all<{ j: string | null }>(query);
  return row?.j ? (JSON.parse(row.j) as unknown[][]) : [];
}

/** Not a tenant query: it serves all of a strategy's subscribers at once by design. */
export async function listFanOutSubscriptions(db: Db, strategyId: string): Promise<FanOutSubscription[]> {
  const rows = await jsonRows(
    db,
    sql`SELECT json_group_array(json_array(s.id, s.user_id, s.pinned_version_id, s.broker_account_id, b.kind,
        s.capital, s.risk_per_trade, s.leverage, s.max_open_positions, s.max_daily_loss, s.stop_loss_atr,
        s.take_profit_atr, s.pnl_day_start, s.pnl_today, s.total_pnl)) AS j
      FROM subscriptions s JOIN broker_accounts b ON b.id = s.broker_account_id
      WHERE s.strategy_id = ${strategyId} AND s.status = 'active'`,
  );
  return rows.map((r) => ({
    id: r[0] as string,
    userId: r[1] as string,
    pinnedVersionId: (r[2] as string | null) ?? null,
    brokerAccountId: r[3] as string,
    brokerKind: r[4] as FanOutSubscription["brokerKind"],
    capital: Number(r[5]),
    riskPerTrade: Number(r[6]),
    leverage: Number(r[7]),
    maxOpenPositions: Number(r[8]),
    maxDailyLoss: Number(r[9]),
    stopLossAtr: Number(r[10]),
    takeProfitAtr: Number(r[11]),
    pnlDayStart: Number(r[12]),
    pnlToday: Number(r[13]),
    totalPnl: Number(r[14]),
  }));
}

/** Open positions of every subscription of the strategy (all symbols: max open positions counts them all). */
export async function listOpenTradesOfStrategy(db: Db, strategyId: string): Promise<OpenTrade[]> {
  const rows = await jsonRows(
    db,
    sql`SELECT json_group_array(json_array(id, subscription_id, symbol, side, quantity, entry_price, stop_loss,
        take_profit, entry_fee, opened_at)) AS j
      FROM trades WHERE strategy_id = ${strategyId} AND status = 'open'`,
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    id: r[0] as string,
    subscriptionId: r[1] as string,
    symbol: r[2] as string,
    side: r[3] as OpenTrade["side"],
    quantity: Number(r[4]),
    entryPrice: Number(r[5]),
    stopLoss: num(r[6]),
    takeProfit: num(r[7]),
    entryFee: num(r[8]),
    openedAt: Number(r[9]),
  }));
}

/** Appends the "trade.filled" event for the trade's owner inside `tx`; returns the row to publish. */
async function appendFillEvent(tx: Tx, userId: string, payload: TradeFilled): Promise<EventRow> {
  const [row] = await tx
    .insert(events)
    .values({ userId, type: "trade.filled", payload: JSON.stringify(payload), createdAt: Date.now() })
    .returning();
  return row as EventRow;
}

/**
 * After the commit, an opening order's outcome replaces the reference price recorded with the trade (or, rejected,
 * takes the trade out). Returns the "trade.filled" event to publish; null when the trade was no longer open.
 */
export async function applyExchangeFill(
  db: Db,
  tradeId: string,
  fill:
    | { status: "filled"; entryPrice: number; quantity: number; entryFee: number }
    | { status: "rejected"; reason: string },
): Promise<EventRow | null> {
  return db.transaction(async (tx) => {
    const [trade] =
      fill.status === "filled"
        ? await tx.all<{ sid: string; uid: string }>(sql`UPDATE trades SET entry_price = ${fill.entryPrice},
            quantity = ${fill.quantity}, entry_fee = ${fill.entryFee}
          WHERE id = ${tradeId} AND status = 'open' RETURNING subscription_id AS sid, user_id AS uid`)
        : await tx.all<{ sid: string; uid: string }>(sql`UPDATE trades SET status = 'rejected',
            reason = ${fill.reason}
          WHERE id = ${tradeId} AND status = 'open' RETURNING subscription_id AS sid, user_id AS uid`);
    if (!trade) return null;
    // The trade was counted when recorded open; a rejected order never was a trade.
    if (fill.status === "rejected")
      await tx.run(
        sql`UPDATE subscriptions SET trades_count = max(0, trades_count - 1) WHERE id = ${trade.sid}`,
      );
    return appendFillEvent(tx, trade.uid, {
      subscriptionId: trade.sid,
      tradeId,
      leg: "entry",
      status: fill.status,
      price: fill.status === "filled" ? fill.entryPrice : null,
      fee: fill.status === "filled" ? fill.entryFee : null,
      pnl: null,
      reason: fill.status === "rejected" ? fill.reason : null,
    });
  });
}

/**
 * After the commit, the exchange's fill of a closing order replaces the reference exit price the trade was closed
 * at; the P&L it changes moves the subscription's metrics by the difference (a win can turn into a loss).
 * Returns the "trade.filled" event to publish; null when the trade was not closed.
 */
export async function applyExchangeExitFill(
  db: Db,
  tradeId: string,
  fill: { exitPrice: number; exitFee: number },
): Promise<EventRow | null> {
  return db.transaction(async (tx) => {
    const [before] = await tx.all<{ pnl: number | null }>(
      sql`SELECT pnl FROM trades WHERE id = ${tradeId} AND status = 'closed'`,
    );
    if (!before) return null;
    const [after] = await tx.all<{ sid: string; uid: string; pnl: number; closedAt: number }>(sql`
      UPDATE trades SET exit_price = ${fill.exitPrice}, exit_fee = ${fill.exitFee},
        pnl = (CASE side WHEN 'LONG' THEN 1 ELSE -1 END) * (${fill.exitPrice} - entry_price) * quantity
          - coalesce(entry_fee, 0) - ${fill.exitFee}
      WHERE id = ${tradeId}
      RETURNING subscription_id AS sid, user_id AS uid, pnl, closed_at AS closedAt`);
    const old = before.pnl ?? 0;
    const delta = after.pnl - old;
    const dWins = Number(after.pnl > 0) - Number(old > 0);
    await tx.run(sql`
      UPDATE subscriptions SET total_pnl = total_pnl + ${delta}, wins = wins + ${dWins}, losses = losses - ${dWins},
        pnl_today = CASE WHEN pnl_day_start = ${utcDayStart(after.closedAt)} THEN pnl_today + ${delta} ELSE pnl_today END
      WHERE id = ${after.sid}`);
    return appendFillEvent(tx, after.uid, {
      subscriptionId: after.sid,
      tradeId,
      leg: "exit",
      status: "filled",
      price: fill.exitPrice,
      fee: fill.exitFee,
      pnl: after.pnl,
      reason: null,
    });
  });
}
