// Exchange orders: the conditional updates that move an order through db/contracts/order-states.ts's table.
import { and, asc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../../platform/ids";
import {
  PROTECTIVE_LEGS,
  predecessorsOf,
  type OrderState,
  type ProtectiveLeg,
} from "../../contracts/order-states";
import { orders, trades } from "../schema";

export type OrderRow = typeof orders.$inferSelect;

/** What an exchange answer or a reconciliation decision records with the new state. */
export interface OrderOutcome {
  reason?: string | null;
  exchangeOrderId?: string | null;
  filledQuantity?: number | null;
  averagePrice?: number | null;
  fee?: number | null;
}

/**
 * Moves an order to `to` if, and only if, its current state allows it (read and written in one
 * statement): two workers, or a worker and the reconciliation, can never both send or both decide.
 */
export async function moveOrder(
  db: Db,
  orderId: string,
  to: OrderState,
  outcome: OrderOutcome = {},
  now = Date.now(),
): Promise<boolean> {
  return (await moveOrders(db, [orderId], to, outcome, now)) === 1;
}

/** moveOrder for several orders in one statement (an OCO pair is claimed whole); how many moved. */
export async function moveOrders(
  db: Db,
  orderIds: readonly string[],
  to: OrderState,
  outcome: OrderOutcome = {},
  now = Date.now(),
): Promise<number> {
  const rows = await db
    .update(orders)
    .set({
      state: to,
      updatedAt: now,
      ...(to === "sent" ? { sentAt: now } : {}),
      ...Object.fromEntries(Object.entries(outcome).filter(([, v]) => v !== undefined)),
    })
    .where(and(inArray(orders.id, [...orderIds]), inArray(orders.state, predecessorsOf(to))))
    .returning({ id: orders.id });
  return rows.length;
}

/** A trade's protective legs (stop first), in any state. */
export async function protectiveLegsOf(db: Db, tradeId: string): Promise<OrderRow[]> {
  const rows = await db
    .select()
    .from(orders)
    .where(and(eq(orders.tradeId, tradeId), inArray(orders.leg, [...PROTECTIVE_LEGS])));
  return rows.sort(
    (a, b) =>
      PROTECTIVE_LEGS.indexOf(a.leg as ProtectiveLeg) - PROTECTIVE_LEGS.indexOf(b.leg as ProtectiveLeg),
  );
}

/**
 * A trade's protective pair `pending` (once: the client ids are unique per account), as a query to await or
 * to put in an order's write batch.
 */
export function insertProtectiveLegs(
  db: Db,
  legs: Omit<typeof orders.$inferInsert, "id" | "state" | "createdAt">[],
  now = Date.now(),
) {
  return db
    .insert(orders)
    .values(legs.map((leg) => ({ ...leg, id: newId(), state: "pending" as const, createdAt: now })))
    .onConflictDoNothing({ target: [orders.brokerAccountId, orders.clientOrderId] });
}

/** The orders an execution committed that nobody has sent yet, in commit order. */
export async function listPendingOrders(db: Db, executionId: string): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.executionId, executionId), eq(orders.state, "pending")))
    .orderBy(asc(orders.createdAt), asc(orders.id));
}

/**
 * Orders the reconciliation decides on: pending ones committed before `pendingBefore` (their sender
 * stopped between the commit and the send), sent ones claimed before `sentBefore` (it stopped mid-send),
 * every unknown one, and open or partly filled ones (resting protective legs) not heard of since `sentBefore`.
 */
export async function listOrdersToReconcile(
  db: Db,
  cutoffs: { pendingBefore: number; sentBefore: number },
  limit = 500,
): Promise<OrderRow[]> {
  return (
    db
      .select()
      .from(orders)
      .where(
        or(
          and(eq(orders.state, "pending"), lt(orders.createdAt, cutoffs.pendingBefore)),
          and(eq(orders.state, "sent"), lt(orders.sentAt, cutoffs.sentBefore)),
          eq(orders.state, "unknown"),
          // A resting or partly filled order: its later fills are read back (a market order rarely stays).
          and(inArray(orders.state, ["open", "partially_filled"]), lt(orders.updatedAt, cutoffs.sentBefore)),
        ),
      )
      // Orders awaiting a decision before the resting ones (protective legs rest as long as their trade is
      // open): a full page of resting legs never holds a pending or unknown order back.
      .orderBy(sql`${orders.state} IN ('open', 'partially_filled')`, asc(orders.createdAt))
      .limit(limit)
  );
}

/** Order counts by state: /metrics and the tests. */
export async function countOrdersByState(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ state: orders.state, n: sql<number>`count(*)` })
    .from(orders)
    .groupBy(orders.state);
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** The state of the order that opened the trade; null when the trade has none (a paper trade). */
export async function entryOrderState(db: Db, tradeId: string): Promise<OrderState | null> {
  const [row] = await db
    .select({ state: orders.state })
    .from(orders)
    .where(and(eq(orders.tradeId, tradeId), eq(orders.leg, "open")));
  return row?.state ?? null;
}

/** A trade's status ("open", "closed", …); null when there is no such trade. */
export async function tradeStatus(db: Db, tradeId: string): Promise<string | null> {
  const [row] = await db.select({ status: trades.status }).from(trades).where(eq(trades.id, tradeId));
  return row?.status ?? null;
}

/** The orders of the user's trades, oldest first (the subscription page); another user's trades give nothing. */
export async function listOrdersOfTrades(db: Db, userId: string, tradeIds: string[]) {
  if (tradeIds.length === 0) return [];
  return db
    .select({
      tradeId: orders.tradeId,
      leg: orders.leg,
      state: orders.state,
      clientOrderId: orders.clientOrderId,
      exchangeOrderId: orders.exchangeOrderId,
      triggerPrice: orders.triggerPrice,
      reason: orders.reason,
      filledQuantity: orders.filledQuantity,
      averagePrice: orders.averagePrice,
    })
    .from(orders)
    .innerJoin(trades, eq(trades.id, orders.tradeId))
    .where(and(inArray(orders.tradeId, tradeIds), eq(trades.userId, userId)))
    .orderBy(asc(orders.createdAt), asc(orders.id));
}
