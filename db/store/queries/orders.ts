// Exchange orders: the conditional updates that move an order through db/contracts/order-states.ts's table.
import { and, asc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { predecessorsOf, type OrderState } from "../../contracts/order-states";
import { orders } from "../schema";

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
  const rows = await db
    .update(orders)
    .set({
      state: to,
      updatedAt: now,
      ...(to === "sent" ? { sentAt: now } : {}),
      ...Object.fromEntries(Object.entries(outcome).filter(([, v]) => v !== undefined)),
    })
    .where(and(eq(orders.id, orderId), inArray(orders.state, predecessorsOf(to))))
    .returning({ id: orders.id });
  return rows.length === 1;
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
 * and every unknown one.
 */
export async function listOrdersToReconcile(
  db: Db,
  cutoffs: { pendingBefore: number; sentBefore: number },
  limit = 500,
): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(
      or(
        and(eq(orders.state, "pending"), lt(orders.createdAt, cutoffs.pendingBefore)),
        and(eq(orders.state, "sent"), lt(orders.sentAt, cutoffs.sentBefore)),
        eq(orders.state, "unknown"),
      ),
    )
    .orderBy(asc(orders.createdAt))
    .limit(limit);
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
