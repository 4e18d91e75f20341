// The coordinator's fan-out reads: every active subscription of a strategy with its broker kind, and their open trades.
import { sql } from "drizzle-orm";
import type { Db } from "../client";

export interface FanOutSubscription {
  id: string;
  userId: string;
  pinnedVersionId: string | null;
  brokerAccountId: string;
  brokerKind: "paper" | "exchange";
  capital: number;
  riskPerTrade: number;
  leverage: number;
  maxOpenPositions: number;
  maxDailyLoss: number;
  stopLossAtr: number;
  takeProfitAtr: number;
  pnlDayStart: number;
  pnlToday: number;
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
 * Not a tenant query: it serves all of a strategy's subscribers at once by design. Raw rows (no ORM
 * mapping): at 10,000 subscribers per candle the mapping would cost more than the read.
 */
export async function listFanOutSubscriptions(db: Db, strategyId: string): Promise<FanOutSubscription[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT s.id, s.user_id, s.pinned_version_id, s.broker_account_id, b.kind, s.capital, s.risk_per_trade,
      s.leverage, s.max_open_positions, s.max_daily_loss, s.stop_loss_atr, s.take_profit_atr,
      s.pnl_day_start, s.pnl_today
    FROM subscriptions s JOIN broker_accounts b ON b.id = s.broker_account_id
    WHERE s.strategy_id = ${strategyId} AND s.status = 'active'`);
  return rows.map((r) => ({
    id: r.id as string,
    userId: r.user_id as string,
    pinnedVersionId: (r.pinned_version_id as string | null) ?? null,
    brokerAccountId: r.broker_account_id as string,
    brokerKind: r.kind as FanOutSubscription["brokerKind"],
    capital: Number(r.capital),
    riskPerTrade: Number(r.risk_per_trade),
    leverage: Number(r.leverage),
    maxOpenPositions: Number(r.max_open_positions),
    maxDailyLoss: Number(r.max_daily_loss),
    stopLossAtr: Number(r.stop_loss_atr),
    takeProfitAtr: Number(r.take_profit_atr),
    pnlDayStart: Number(r.pnl_day_start),
    pnlToday: Number(r.pnl_today),
  }));
}

/** Open positions of every subscription of the strategy (all symbols: max open positions counts them all). */
export async function listOpenTradesOfStrategy(db: Db, strategyId: string): Promise<OpenTrade[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT id, subscription_id, symbol, side, quantity, entry_price, stop_loss, take_profit, entry_fee, opened_at
    FROM trades WHERE strategy_id = ${strategyId} AND status = 'open'`);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    id: r.id as string,
    subscriptionId: r.subscription_id as string,
    symbol: r.symbol as string,
    side: r.side as OpenTrade["side"],
    quantity: Number(r.quantity),
    entryPrice: Number(r.entry_price),
    stopLoss: num(r.stop_loss),
    takeProfit: num(r.take_profit),
    entryFee: num(r.entry_fee),
    openedAt: Number(r.opened_at),
  }));
}

/** After the commit, an exchange order's outcome replaces the reference price recorded with the trade. */
export async function applyExchangeFill(
  db: Db,
  tradeId: string,
  fill: { status: "filled"; entryPrice: number; quantity: number; entryFee: number } | { status: "rejected"; reason: string },
): Promise<void> {
  if (fill.status === "filled") {
    await db.run(sql`UPDATE trades SET entry_price = ${fill.entryPrice}, quantity = ${fill.quantity},
      entry_fee = ${fill.entryFee} WHERE id = ${tradeId} AND status = 'open'`);
  } else {
    // The trade was counted when recorded open; a rejected order never was a trade.
    await db.transaction(async (tx) => {
      const rows = await tx.all<{ subscription_id: string }>(sql`UPDATE trades SET status = 'rejected',
        reason = ${fill.reason} WHERE id = ${tradeId} AND status = 'open' RETURNING subscription_id`);
      if (rows[0]) {
        await tx.run(sql`UPDATE subscriptions SET trades_count = max(0, trades_count - 1)
          WHERE id = ${rows[0].subscription_id}`);
      }
    });
  }
}
