// The coordinator's fan-out reads: every active subscription of a strategy with its broker kind, and their open trades.
import { sql } from "drizzle-orm";
import type { ResultSet } from "@libsql/client";
import type { Db } from "../client";
import { utcDayStart } from "../../contracts/domain";
import type { TradeFilled } from "../../contracts/events";
import type { EventRow } from "../schema";
import { PREVIOUS_CHANGED_ONE_ROW, writeBatch } from "../write-batch";
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

/** The "trade.filled" event for the trade's owner, appended by the fill's batch. */
function fillEvent(userId: string, payload: TradeFilled) {
  return sql`INSERT INTO events (user_id, type, payload, created_at)
    VALUES (${userId}, 'trade.filled', ${JSON.stringify(payload)}, ${Date.now()})
    RETURNING seq, user_id AS userId, type, payload, created_at AS createdAt`;
}

const eventRow = (results: ResultSet[]) => ({ ...results.at(-1)!.rows[0] }) as unknown as EventRow;

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
  // Who owns a trade never changes, so it is read before the batch; the batch re-checks that it is open.
  const [trade] = await db.all<{ sid: string; uid: string }>(
    sql`SELECT subscription_id AS sid, user_id AS uid FROM trades WHERE id = ${tradeId} AND status = 'open'`,
  );
  if (!trade) return null;
  const results = await writeBatch(db, [
    fill.status === "filled"
      ? sql`UPDATE trades SET entry_price = ${fill.entryPrice}, quantity = ${fill.quantity}, entry_fee = ${fill.entryFee}
          WHERE id = ${tradeId} AND status = 'open'`
      : sql`UPDATE trades SET status = 'rejected', reason = ${fill.reason} WHERE id = ${tradeId} AND status = 'open'`,
    PREVIOUS_CHANGED_ONE_ROW,
    // The trade was counted when recorded open; a rejected order never was a trade.
    ...(fill.status === "rejected"
      ? [sql`UPDATE subscriptions SET trades_count = max(0, trades_count - 1) WHERE id = ${trade.sid}`]
      : []),
    fillEvent(trade.uid, {
      subscriptionId: trade.sid,
      tradeId,
      leg: "entry",
      status: fill.status,
      price: fill.status === "filled" ? fill.entryPrice : null,
      fee: fill.status === "filled" ? fill.entryFee : null,
      pnl: null,
      reason: fill.status === "rejected" ? fill.reason : null,
    }),
  ]);
  return results === null ? null : eventRow(results);
}

interface ClosedTrade {
  sid: string;
  uid: string;
  side: "LONG" | "SHORT";
  entryPrice: number;
  quantity: number;
  entryFee: number | null;
  pnl: number | null;
  closedAt: number;
}

/** An attempt of applyExchangeExitFill lost to a concurrent change of the trade this many times in a row: give up. */
const EXIT_FILL_ATTEMPTS = 3;

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
  for (let attempt = 1; attempt <= EXIT_FILL_ATTEMPTS; attempt++) {
    const [trade] = await db.all<ClosedTrade>(sql`
      SELECT subscription_id AS sid, user_id AS uid, side, entry_price AS entryPrice, quantity,
        entry_fee AS entryFee, pnl, closed_at AS closedAt
      FROM trades WHERE id = ${tradeId} AND status = 'closed'`);
    if (!trade) return null;
    const direction = trade.side === "LONG" ? 1 : -1;
    const pnl =
      direction * (fill.exitPrice - trade.entryPrice) * trade.quantity - (trade.entryFee ?? 0) - fill.exitFee;
    const old = trade.pnl ?? 0;
    const delta = pnl - old;
    const dWins = Number(pnl > 0) - Number(old > 0);
    // The batch applies only to the trade as read (optimistic): a fill that changed it meanwhile means a new read.
    const results = await writeBatch(db, [
      sql`UPDATE trades SET exit_price = ${fill.exitPrice}, exit_fee = ${fill.exitFee}, pnl = ${pnl}
        WHERE id = ${tradeId} AND status = 'closed' AND pnl IS ${trade.pnl} AND entry_price = ${trade.entryPrice}
          AND quantity = ${trade.quantity} AND entry_fee IS ${trade.entryFee}`,
      PREVIOUS_CHANGED_ONE_ROW,
      sql`UPDATE subscriptions SET total_pnl = total_pnl + ${delta}, wins = wins + ${dWins}, losses = losses - ${dWins},
        pnl_today = CASE WHEN pnl_day_start = ${utcDayStart(trade.closedAt)} THEN pnl_today + ${delta} ELSE pnl_today END
        WHERE id = ${trade.sid}`,
      fillEvent(trade.uid, {
        subscriptionId: trade.sid,
        tradeId,
        leg: "exit",
        status: "filled",
        price: fill.exitPrice,
        fee: fill.exitFee,
        pnl,
        reason: null,
      }),
    ]);
    if (results !== null) return eventRow(results);
  }
  throw new Error(`trade ${tradeId} changed under ${EXIT_FILL_ATTEMPTS} exit-fill attempts in a row`);
}
