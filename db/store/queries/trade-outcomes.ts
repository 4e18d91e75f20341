// What an exchange order's outcome does to its trade after the commit: a fill replaces the reference
// price, an entry that never filled takes the trade out, an exit that never filled reopens it; each
// moves the subscription's figures by the difference in the same transaction and appends the event.
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../client";
import { utcDayStart } from "../../contracts/domain";
import type { TradeFilled } from "../../contracts/events";
import { events, type EventRow } from "../schema";

interface TradeRef {
  sid: string;
  uid: string;
  status: string;
  pnl: number | null;
  closedAt: number | null;
}

async function readTrade(tx: Tx, tradeId: string): Promise<TradeRef | undefined> {
  const [row] = await tx.all<TradeRef>(sql`SELECT subscription_id AS sid, user_id AS uid, status, pnl,
      closed_at AS closedAt FROM trades WHERE id = ${tradeId}`);
  return row;
}

/**
 * Moves the subscription's figures from a trade's booked P&L `before` to `after` (null: not booked, i.e. the
 * trade is not closed): total, wins and losses, and today's bucket when the close falls on its day.
 */
async function rebook(tx: Tx, sid: string, before: number | null, after: number | null, closedAt: number) {
  const delta = (after ?? 0) - (before ?? 0);
  const win = (p: number | null) => Number(p !== null && p > 0);
  const loss = (p: number | null) => Number(p !== null && p <= 0);
  await tx.run(sql`
    UPDATE subscriptions SET total_pnl = total_pnl + ${delta},
      wins = wins + ${win(after) - win(before)}, losses = losses + ${loss(after) - loss(before)},
      pnl_today = CASE WHEN pnl_day_start = ${utcDayStart(closedAt)} THEN pnl_today + ${delta} ELSE pnl_today END
    WHERE id = ${sid}`);
}

/** Recomputes a closed trade's P&L from its current prices and fees, and rebooks the difference. */
async function reprice(tx: Tx, tradeId: string, trade: TradeRef): Promise<number | null> {
  if (trade.status !== "closed") return null;
  const [after] = await tx.all<{ pnl: number }>(sql`
    UPDATE trades SET pnl = (CASE side WHEN 'LONG' THEN 1 ELSE -1 END) * (exit_price - entry_price) * quantity
        - coalesce(entry_fee, 0) - coalesce(exit_fee, 0)
    WHERE id = ${tradeId} RETURNING pnl`);
  await rebook(tx, trade.sid, trade.pnl, after.pnl, trade.closedAt!);
  return after.pnl;
}

/** Appends the "trade.filled" event for the trade's owner inside `tx`; returns the row to publish. */
async function appendFillEvent(
  tx: Tx,
  tradeId: string,
  trade: TradeRef,
  outcome: Outcome,
): Promise<EventRow> {
  const payload: TradeFilled = { subscriptionId: trade.sid, tradeId, ...outcome };
  const [row] = await tx
    .insert(events)
    .values({
      userId: trade.uid,
      type: "trade.filled",
      payload: JSON.stringify(payload),
      createdAt: Date.now(),
    })
    .returning();
  return row as EventRow;
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

/**
 * The entry's fill replaces the reference price and quantity, also on a trade a later execution already
 * closed (its P&L follows). Null when the trade was taken out meanwhile.
 */
export async function applyEntryFill(
  db: Db | Tx,
  tradeId: string,
  fill: { entryPrice: number; quantity: number; entryFee: number },
): Promise<EventRow | null> {
  // eslint-disable-next-line no-restricted-syntax -- an order outcome reads, then writes: not yet a batch (ADR 155, issue 16)
  return db.transaction(async (tx) => {
    const trade = await readTrade(tx, tradeId);
    if (!trade || (trade.status !== "open" && trade.status !== "closed")) return null;
    await tx.run(sql`UPDATE trades SET entry_price = ${fill.entryPrice}, quantity = ${fill.quantity},
        entry_fee = ${fill.entryFee} WHERE id = ${tradeId}`);
    const pnl = await reprice(tx, tradeId, trade);
    return appendFillEvent(tx, tradeId, trade, filled("entry", fill.entryPrice, fill.entryFee, pnl));
  });
}

/** The exit's fill replaces the reference exit price; the P&L it changes moves the figures by the difference. */
export async function applyExitFill(
  db: Db | Tx,
  tradeId: string,
  fill: { exitPrice: number; exitFee: number },
): Promise<EventRow | null> {
  // eslint-disable-next-line no-restricted-syntax -- an order outcome reads, then writes: not yet a batch (ADR 155, issue 16)
  return db.transaction(async (tx) => {
    const trade = await readTrade(tx, tradeId);
    if (trade?.status !== "closed") return null;
    await tx.run(
      sql`UPDATE trades SET exit_price = ${fill.exitPrice}, exit_fee = ${fill.exitFee} WHERE id = ${tradeId}`,
    );
    const pnl = await reprice(tx, tradeId, trade);
    return appendFillEvent(tx, tradeId, trade, filled("exit", fill.exitPrice, fill.exitFee, pnl));
  });
}

/**
 * The entry never filled (rejected, or void): the trade never existed. Open or already closed by a later
 * execution, it becomes `rejected` and leaves the subscription's count and any P&L it booked.
 */
export async function takeOutTrade(db: Db | Tx, tradeId: string, reason: string): Promise<EventRow | null> {
  // eslint-disable-next-line no-restricted-syntax -- an order outcome reads, then writes: not yet a batch (ADR 155, issue 16)
  return db.transaction(async (tx) => {
    const trade = await readTrade(tx, tradeId);
    if (!trade || (trade.status !== "open" && trade.status !== "closed")) return null;
    await tx.run(sql`UPDATE trades SET status = 'rejected', reason = ${reason} WHERE id = ${tradeId}`);
    await tx.run(
      sql`UPDATE subscriptions SET trades_count = max(0, trades_count - 1) WHERE id = ${trade.sid}`,
    );
    if (trade.status === "closed") await rebook(tx, trade.sid, trade.pnl, null, trade.closedAt!);
    return appendFillEvent(tx, tradeId, trade, neverFilled("entry", reason));
  });
}

/**
 * The exit never filled (rejected, or void): the position is still open at the exchange, so the trade is
 * open again and the P&L its close booked is taken back; a later signal or the kill switch closes it.
 */
export async function reopenTrade(db: Db | Tx, tradeId: string, reason: string): Promise<EventRow | null> {
  // eslint-disable-next-line no-restricted-syntax -- an order outcome reads, then writes: not yet a batch (ADR 155, issue 16)
  return db.transaction(async (tx) => {
    const trade = await readTrade(tx, tradeId);
    if (trade?.status !== "closed") return null;
    await tx.run(sql`UPDATE trades SET status = 'open', exit_price = NULL, exit_fee = NULL, pnl = NULL,
        exit_reason = NULL, exit_execution_id = NULL, closed_at = NULL WHERE id = ${tradeId}`);
    await rebook(tx, trade.sid, trade.pnl, null, trade.closedAt!);
    return appendFillEvent(tx, tradeId, trade, neverFilled("exit", reason));
  });
}

/**
 * A protective leg filled on the exchange: the trade closes at the exchange's price and fee with the leg's
 * exit reason. Open, it closes now and its P&L is booked (today's bucket when the fill is on the
 * subscription's day or later); already closed by a signal whose exit never went out (the leg filled
 * first), the fill replaces that close. Null when the trade was taken out meanwhile.
 */
export async function closeByProtection(
  db: Db | Tx,
  tradeId: string,
  fill: { exitPrice: number; exitFee: number; exitReason: "stop_loss" | "take_profit"; closedAt: number },
): Promise<EventRow | null> {
  const reason = `The ${fill.exitReason === "stop_loss" ? "stop-loss" : "take-profit"} filled on the exchange.`;
  // eslint-disable-next-line no-restricted-syntax -- an order outcome reads, then writes: not yet a batch (ADR 155, issue 16)
  return db.transaction(async (tx) => {
    const trade = await readTrade(tx, tradeId);
    if (!trade || (trade.status !== "open" && trade.status !== "closed")) return null;
    const closedAt = trade.closedAt ?? fill.closedAt;
    await tx.run(sql`UPDATE trades SET status = 'closed', exit_price = ${fill.exitPrice}, exit_fee = ${fill.exitFee},
        exit_reason = ${fill.exitReason}, closed_at = ${closedAt} WHERE id = ${tradeId}`);
    const closed = { ...trade, status: "closed", closedAt };
    if (trade.status === "open") await bookNewClose(tx, trade.sid, closedAt);
    // An open trade's P&L is null: reprice books all of it; a closed one's moves by the difference.
    const pnl = await reprice(tx, tradeId, closed);
    return appendFillEvent(tx, tradeId, trade, {
      ...filled("exit", fill.exitPrice, fill.exitFee, pnl),
      reason,
    });
  });
}

/**
 * A trade closed after its execution: its day becomes the subscription's bucket when it is newer, so the
 * daily-loss limit sees it; `reprice` then books the P&L (from 0) into the total, wins or losses and today.
 */
async function bookNewClose(tx: Tx, sid: string, closedAt: number) {
  const day = utcDayStart(closedAt);
  await tx.run(sql`UPDATE subscriptions SET pnl_today = CASE WHEN pnl_day_start < ${day} THEN 0 ELSE pnl_today END,
      pnl_day_start = max(pnl_day_start, ${day}) WHERE id = ${sid}`);
}
