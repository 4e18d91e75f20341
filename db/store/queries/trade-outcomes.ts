// What an exchange order's outcome does to its trade, as statements of the order's write batch (ADR 153): a
// fill replaces the reference price, an entry that never filled takes the trade out, an exit that never filled
// reopens it, a protective leg's fill closes it; each moves the subscription's figures by the difference.
// Planned in JavaScript from the trade as read before the batch; the batch first checks it is still exactly that.
import { eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { utcDayStart } from "../../contracts/domain";
import type { TradeFilled } from "../../contracts/events";
import { trades } from "../schema";
import { guard, type BatchStatement } from "../write-batch";

/** Every column of a trade an outcome reads or writes. */
const SNAPSHOT = {
  id: trades.id,
  subscriptionId: trades.subscriptionId,
  userId: trades.userId,
  status: trades.status,
  side: trades.side,
  quantity: trades.quantity,
  entryPrice: trades.entryPrice,
  entryFee: trades.entryFee,
  exitPrice: trades.exitPrice,
  exitFee: trades.exitFee,
  pnl: trades.pnl,
  exitReason: trades.exitReason,
  exitExecutionId: trades.exitExecutionId,
  closedAt: trades.closedAt,
  stopLoss: trades.stopLoss,
  takeProfit: trades.takeProfit,
};

export type TradeSnapshot = Pick<typeof trades.$inferSelect, keyof typeof SNAPSHOT>;

export async function readTradeSnapshot(db: Db, tradeId: string): Promise<TradeSnapshot | undefined> {
  const [row] = await db.select(SNAPSHOT).from(trades).where(eq(trades.id, tradeId));
  return row;
}

export type TradeOutcome =
  | { kind: "entry_filled"; entryPrice: number; quantity: number; entryFee: number }
  | { kind: "exit_filled"; exitPrice: number; exitFee: number }
  | {
      kind: "protection_filled";
      exitPrice: number;
      exitFee: number;
      exitReason: "stop_loss" | "take_profit";
      closedAt: number;
    }
  | { kind: "entry_never_filled"; reason: string }
  | { kind: "exit_never_filled"; reason: string };

export interface TradeChange {
  /** The trade as the batch leaves it. */
  after: TradeSnapshot;
  /** The check that the trade is still as read, then its update and the subscription's figures. */
  statements: BatchStatement[];
  /** The "trade.filled" event for the trade's owner. */
  event: TradeFilled;
}

const isLive = (t: TradeSnapshot) => t.status === "open" || t.status === "closed";

/** Same formula as the coordinator's close: direction × move × quantity, less both fees. */
function pnlOf(t: TradeSnapshot): number {
  const direction = t.side === "LONG" ? 1 : -1;
  return direction * (t.exitPrice! - t.entryPrice!) * t.quantity! - (t.entryFee ?? 0) - (t.exitFee ?? 0);
}

/**
 * What `outcome` does to `trade` as read; null when it does nothing to it (a fill for a trade taken out
 * meanwhile, an exit's failure for a trade no longer closed).
 */
export function planTradeOutcome(trade: TradeSnapshot, outcome: TradeOutcome): TradeChange | null {
  switch (outcome.kind) {
    case "entry_filled": {
      // Also on a trade a later execution already closed: its P&L follows.
      if (!isLive(trade)) return null;
      const moved = { ...trade, ...pick(outcome, "entryPrice", "quantity", "entryFee") };
      const after = trade.status === "closed" ? { ...moved, pnl: pnlOf(moved) } : moved;
      return change(trade, after, filled("entry", outcome.entryPrice, outcome.entryFee, after.pnl));
    }
    case "exit_filled": {
      if (trade.status !== "closed") return null;
      const moved = { ...trade, ...pick(outcome, "exitPrice", "exitFee") };
      const after = { ...moved, pnl: pnlOf(moved) };
      return change(trade, after, filled("exit", outcome.exitPrice, outcome.exitFee, after.pnl));
    }
    case "protection_filled": {
      // Open, it closes now; already closed by a signal whose exit never went out (the leg filled first),
      // the fill replaces that close.
      if (!isLive(trade)) return null;
      const moved = {
        ...trade,
        ...pick(outcome, "exitPrice", "exitFee", "exitReason"),
        status: "closed" as const,
        closedAt: trade.closedAt ?? outcome.closedAt,
      };
      const after = { ...moved, pnl: pnlOf(moved) };
      const leg = outcome.exitReason === "stop_loss" ? "stop-loss" : "take-profit";
      return change(trade, after, {
        ...filled("exit", outcome.exitPrice, outcome.exitFee, after.pnl),
        reason: `The ${leg} filled on the exchange.`,
      });
    }
    case "entry_never_filled": {
      // The trade never existed: it leaves the subscription's count and any P&L it booked.
      if (!isLive(trade)) return null;
      const after = { ...trade, status: "rejected" as const };
      const taken = change(trade, after, neverFilled("entry", outcome.reason), { reason: outcome.reason });
      taken.statements.push(
        sql`UPDATE subscriptions SET trades_count = max(0, trades_count - 1) WHERE id = ${trade.subscriptionId}`,
      );
      return taken;
    }
    case "exit_never_filled": {
      // The position is still open at the exchange: open again, the P&L its close booked taken back.
      if (trade.status !== "closed") return null;
      const after = {
        ...trade,
        status: "open" as const,
        exitPrice: null,
        exitFee: null,
        pnl: null,
        exitReason: null,
        exitExecutionId: null,
        closedAt: null,
      };
      return change(trade, after, neverFilled("exit", outcome.reason));
    }
  }
}

function pick<T, K extends keyof T>(from: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}

/** The guard on the trade as read, its update to `after`, and the subscription's figures moved by the difference. */
function change(
  before: TradeSnapshot,
  after: TradeSnapshot,
  outcome: Outcome,
  extra: { reason?: string } = {},
): TradeChange {
  const statements: BatchStatement[] = [
    guard(sql`EXISTS (SELECT 1 FROM trades WHERE id = ${before.id} AND status = ${before.status}
      AND quantity IS ${before.quantity} AND entry_price IS ${before.entryPrice} AND entry_fee IS ${before.entryFee}
      AND exit_price IS ${before.exitPrice} AND exit_fee IS ${before.exitFee} AND pnl IS ${before.pnl}
      AND exit_reason IS ${before.exitReason} AND exit_execution_id IS ${before.exitExecutionId}
      AND closed_at IS ${before.closedAt})`),
    sql`UPDATE trades SET status = ${after.status}, quantity = ${after.quantity}, entry_price = ${after.entryPrice},
      entry_fee = ${after.entryFee}, exit_price = ${after.exitPrice}, exit_fee = ${after.exitFee}, pnl = ${after.pnl},
      exit_reason = ${after.exitReason}, exit_execution_id = ${after.exitExecutionId}, closed_at = ${after.closedAt}
      ${extra.reason === undefined ? sql`` : sql`, reason = ${extra.reason}`}
      WHERE id = ${before.id}`,
  ];
  const booked = (t: TradeSnapshot) => (t.status === "closed" ? t.pnl : null);
  const [was, is] = [booked(before), booked(after)];
  if (was === null && is !== null) statements.push(bookNewClose(before.subscriptionId, after.closedAt!));
  if (was !== is)
    statements.push(rebook(before.subscriptionId, was, is, (after.closedAt ?? before.closedAt)!));
  return {
    after,
    statements,
    event: { subscriptionId: before.subscriptionId, tradeId: before.id, ...outcome },
  };
}

/**
 * A trade closed after its execution: its day becomes the subscription's bucket when it is newer, so the
 * daily-loss limit sees it; `rebook` then books the P&L (from 0) into the total, wins or losses and today.
 */
function bookNewClose(sid: string, closedAt: number): BatchStatement {
  const day = utcDayStart(closedAt);
  return sql`UPDATE subscriptions SET pnl_today = CASE WHEN pnl_day_start < ${day} THEN 0 ELSE pnl_today END,
      pnl_day_start = max(pnl_day_start, ${day}) WHERE id = ${sid}`;
}

/**
 * Moves the subscription's figures from a trade's booked P&L `before` to `after` (null: not booked, i.e. the
 * trade is not closed): total, wins and losses, and today's bucket when the close falls on its day.
 */
function rebook(sid: string, before: number | null, after: number | null, closedAt: number): BatchStatement {
  const delta = (after ?? 0) - (before ?? 0);
  const win = (p: number | null) => Number(p !== null && p > 0);
  const loss = (p: number | null) => Number(p !== null && p <= 0);
  return sql`
    UPDATE subscriptions SET total_pnl = total_pnl + ${delta},
      wins = wins + ${win(after) - win(before)}, losses = losses + ${loss(after) - loss(before)},
      pnl_today = CASE WHEN pnl_day_start = ${utcDayStart(closedAt)} THEN pnl_today + ${delta} ELSE pnl_today END
    WHERE id = ${sid}`;
}

type Outcome = Omit<TradeFilled, "subscriptionId" | "tradeId">;
const filled = (leg: Outcome["leg"], price: number, fee: number, pnl: number | null): Outcome => ({
  leg,
  status: "filled",
  price,
  fee,
  pnl,
  reason: null,
});
const neverFilled = (leg: Outcome["leg"], reason: string): Outcome => ({
  leg,
  status: "rejected",
  price: null,
  fee: null,
  pnl: null,
  reason,
});
