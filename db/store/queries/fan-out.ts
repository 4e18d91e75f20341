// The coordinator's fan-out reads: every active subscription of a strategy with its broker kind, and their open trades.
import { sql } from "drizzle-orm";
import type { Db } from "../client";
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
  /** Its stop-loss and take-profit rest on the exchange (or are on their way): the exchange's fill closes it. */
  protectedOnExchange: boolean;
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
        take_profit, entry_fee, opened_at,
        EXISTS (SELECT 1 FROM orders AS o WHERE o.trade_id = trades.id AND o.leg IN ('stop', 'take_profit')
          AND o.state IN ('pending', 'sent', 'open', 'partially_filled', 'unknown')))) AS j
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
    protectedOnExchange: Number(r[10]) === 1,
  }));
}
