// One exchange answer about an order, or the decision that it is void, recorded as ONE guarded write batch
// (ADR 153). Everything is read before the batch; the batch moves the order only from the state and fills it
// was read with, records the new fills, changes the trade only if it is still as read (trade-outcomes.ts),
// commits a protective pair to send and appends the event. When anything it was decided from changed
// meanwhile the batch writes nothing and the answer is decided again from a fresh read: of two workers
// deciding about one order, one applies and the other is told the order is already decided.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import type { ExchangeFill, OrderResult } from "../../contracts/order-results";
import {
  isFinal,
  isProtective,
  ORDER_STATES,
  PROTECTIVE_LEGS,
  transition,
  type OrderLeg,
  type OrderState,
  type ProtectiveLeg,
} from "../../contracts/order-states";
import { newId } from "../../platform/ids";
import { orderFills, orders, type EventRow } from "../schema";
import { guard, PREVIOUS_CHANGED_ONE_ROW, writeBatch, type BatchStatement } from "../write-batch";
import { insertProtectiveLegs, type OrderRow } from "./orders";
import { planTradeOutcome, readTradeSnapshot, type TradeOutcome, type TradeSnapshot } from "./trade-outcomes";

/** What the exchange answered, or `void`: it never reached the exchange (the reconciliation's decision). */
export type OrderAnswer = OrderResult | { status: "void"; reason: string };

type Fill = { exchangeTradeId: string; price: number; quantity: number; fee: number };

/** What an answer is decided from, read before its batch. */
export interface OrderBasis {
  order: OrderRow;
  /** The order's fills recorded so far. */
  fills: Fill[];
  trade: TradeSnapshot | undefined;
  /** Every order of the trade, this one included. */
  tradeOrders: OrderRow[];
}

export type AnswerRecorded =
  | {
      status: "recorded";
      /** The "trade.filled" event appended, to publish. */
      event: EventRow | null;
      /** A protective pair was committed `pending`: send it now. */
      protect: boolean;
      /** A protective leg filled: settle its sibling. */
      settle: boolean;
    }
  /** The order is past this answer (another worker or the reconciliation decided first): nothing written. */
  | { status: "already_decided"; state: OrderState }
  /** The trade changed under every attempt: nothing written (the reconciliation reads the order again). */
  | { status: "contended" };

export interface AnswerOptions {
  /** The client order id of a protective leg the answer commits (worker/brokers/client-order-id.ts). */
  clientOrderId: (tradeId: string, executionId: string, leg: OrderLeg) => string;
}

const ATTEMPTS = 5;
const LIVE_STATES = ORDER_STATES.filter((state) => !isFinal(state));

export async function readOrderBasis(db: Db, orderId: string): Promise<OrderBasis> {
  const tradeOrders = await db
    .select()
    .from(orders)
    .where(eq(orders.tradeId, sql`(SELECT trade_id FROM orders WHERE id = ${orderId})`));
  const order = tradeOrders.find((o) => o.id === orderId);
  if (!order) throw new Error(`There is no order ${orderId}.`);
  const [fills, trade] = await Promise.all([
    db
      .select({
        exchangeTradeId: orderFills.exchangeTradeId,
        price: orderFills.price,
        quantity: orderFills.quantity,
        fee: orderFills.fee,
      })
      .from(orderFills)
      .where(eq(orderFills.orderId, orderId)),
    readTradeSnapshot(db, order.tradeId),
  ]);
  return { order, fills, trade, tradeOrders };
}

/** Reads the order, then records the answer (see applyOrderAnswer). */
export async function recordOrderAnswer(
  db: Db,
  orderId: string,
  answer: OrderAnswer,
  options: AnswerOptions,
): Promise<AnswerRecorded> {
  return applyOrderAnswer(db, await readOrderBasis(db, orderId), answer, options);
}

/**
 * Records the answer as decided from `basis` in one guarded batch; a batch that finds anything changed
 * writes nothing, and the answer is decided again from a fresh read (up to 5 times).
 */
export async function applyOrderAnswer(
  db: Db,
  basis: OrderBasis,
  answer: OrderAnswer,
  options: AnswerOptions,
): Promise<AnswerRecorded> {
  for (let attempt = 1, b = basis; ; attempt++, b = await readOrderBasis(db, b.order.id)) {
    const plan = planAnswer(db, b, answer, Date.now(), options.clientOrderId);
    if (plan.status === "already_decided") return plan;
    const results = await writeBatch(db, plan.statements);
    if (results) {
      const event = plan.event && {
        ...plan.event.row,
        seq: Number(results[plan.event.at].lastInsertRowid),
      };
      return { status: "recorded", event, protect: plan.protect, settle: plan.settle };
    }
    if (attempt === ATTEMPTS) return { status: "contended" };
  }
}

interface Plan {
  status: "planned";
  statements: BatchStatement[];
  /** The event row but its seq, and its INSERT's index in the batch. */
  event: { row: Omit<EventRow, "seq">; at: number } | null;
  protect: boolean;
  settle: boolean;
}

function planAnswer(
  db: Db,
  b: OrderBasis,
  answer: OrderAnswer,
  now: number,
  clientOrderId: AnswerOptions["clientOrderId"],
): Plan | { status: "already_decided"; state: OrderState } {
  const { order } = b;
  const isFill = answer.status === "filled" || answer.status === "partially_filled";
  const known = new Set(b.fills.map((f) => f.exchangeTradeId));
  const fresh = isFill && answer.fills ? newFills(answer.fills, known) : [];
  const totals = !isFill
    ? null
    : answer.fills
      ? fillTotals([...b.fills, ...fresh])
      : { quantity: answer.filledQuantity, averagePrice: answer.fillPrice, fee: answer.fee };
  // A partial fill read again with nothing new is no news.
  const nothingNew =
    order.state === answer.status &&
    (isFill && answer.fills ? fresh.length === 0 : totals?.quantity === order.filledQuantity);
  if (!transition(order.state, answer.status).ok || nothingNew)
    return { status: "already_decided", state: order.state };

  const reason = "reason" in answer ? answer.reason : null;
  const exchangeOrderId = "exchangeOrderId" in answer ? (answer.exchangeOrderId ?? null) : null;
  const statements: BatchStatement[] = [
    sql`UPDATE orders SET state = ${answer.status}, updated_at = ${now}, reason = ${reason},
        exchange_order_id = coalesce(${exchangeOrderId}, exchange_order_id)
        ${totals ? sql`, filled_quantity = ${totals.quantity}, average_price = ${totals.averagePrice}, fee = ${totals.fee}` : sql``}
      WHERE id = ${order.id} AND state = ${order.state} AND filled_quantity IS ${order.filledQuantity}
        AND (SELECT count(*) FROM order_fills WHERE order_id = ${order.id}) = ${b.fills.length}`,
    PREVIOUS_CHANGED_ONE_ROW,
  ];
  if (fresh.length > 0)
    statements.push(sql`INSERT INTO order_fills (id, order_id, exchange_trade_id, price, quantity, fee, created_at)
      SELECT j.value ->> 0, ${order.id}, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, ${now}
      FROM json_each(${JSON.stringify(fresh.map((f) => [newId(), f.exchangeTradeId, f.price, f.quantity, f.fee]))}) AS j`);

  const outcome = b.trade && tradeOutcomeOf(b, answer, totals, now);
  const change = outcome ? planTradeOutcome(b.trade!, outcome) : null;
  let event: Plan["event"] = null;
  let protect = false;
  if (change) {
    statements.push(...change.statements);
    const row = {
      userId: b.trade!.userId,
      type: "trade.filled",
      payload: JSON.stringify(change.event),
      createdAt: now,
    };
    event = { row, at: statements.length };
    statements.push(sql`INSERT INTO events (user_id, type, payload, created_at)
      VALUES (${row.userId}, ${row.type}, ${row.payload}, ${now})`);
    const pair = protectionFor(db, b, answer, change.after, clientOrderId, now);
    if (pair) {
      statements.push(...pair.statements);
      protect = pair.commits;
    }
  }
  const settle = isProtective(order.leg) && answer.status === "filled";
  return { status: "planned", statements, event, protect, settle };
}

/** The answer's fills not recorded yet, each once. */
function newFills(fills: ExchangeFill[], known: Set<string>): Fill[] {
  const fresh = new Map<string, Fill>();
  for (const f of fills)
    if (!known.has(f.tradeId) && !fresh.has(f.tradeId))
      fresh.set(f.tradeId, { exchangeTradeId: f.tradeId, price: f.price, quantity: f.quantity, fee: f.fee });
  return [...fresh.values()];
}

function fillTotals(fills: Fill[]) {
  const quantity = fills.reduce((sum, f) => sum + f.quantity, 0);
  const notional = fills.reduce((sum, f) => sum + f.price * f.quantity, 0);
  return {
    quantity,
    averagePrice: quantity > 0 ? notional / quantity : 0,
    fee: fills.reduce((sum, f) => sum + f.fee, 0),
  };
}

/** What the answer does to the order's trade; null when nothing (a protective pair that never rested, …). */
function tradeOutcomeOf(
  b: OrderBasis,
  answer: OrderAnswer,
  totals: { quantity: number; averagePrice: number; fee: number } | null,
  now: number,
): TradeOutcome | null {
  const { leg } = b.order;
  if (answer.status === "rejected" || answer.status === "void") {
    if (leg === "open") return { kind: "entry_never_filled", reason: answer.reason };
    // A protective leg's fill closed the position: the exit that never filled leaves nothing open.
    const closedByLeg = b.tradeOrders.some((o) => isProtective(o.leg) && o.state === "filled");
    if (leg === "close" && !closedByLeg) return { kind: "exit_never_filled", reason: answer.reason };
    return null;
  }
  if (!totals) return null;
  if (leg === "open")
    return {
      kind: "entry_filled",
      entryPrice: totals.averagePrice,
      quantity: totals.quantity,
      entryFee: totals.fee,
    };
  if (isProtective(leg))
    return answer.status === "filled"
      ? {
          kind: "protection_filled",
          exitPrice: totals.averagePrice,
          exitFee: totals.fee,
          exitReason: leg === "stop" ? "stop_loss" : "take_profit",
          closedAt: answer.filledAt ?? now,
        }
      : null;
  return { kind: "exit_filled", exitPrice: totals.averagePrice, exitFee: totals.fee };
}

/**
 * The stop-loss and take-profit to commit with the answer, as a pending OCO pair closing the position: when
 * the entry filled (client ids from the entry's execution), and when a failed exit reopened the trade and
 * nothing protects it any more (ids from the exit's execution); with a reopening, the guard that the
 * trade's legs are still as read. `commits`: the batch commits a pair.
 */
function protectionFor(
  db: Db,
  b: OrderBasis,
  answer: OrderAnswer,
  trade: TradeSnapshot,
  clientOrderId: AnswerOptions["clientOrderId"],
  now: number,
): { statements: BatchStatement[]; commits: boolean } | null {
  const { order } = b;
  if (trade.status !== "open" || trade.stopLoss === null || trade.takeProfit === null) return null;
  const side = order.leg === "open" ? (order.side === "buy" ? "sell" : "buy") : order.side;
  const leg = (name: ProtectiveLeg, triggerPrice: number) => ({
    tradeId: trade.id,
    executionId: order.executionId,
    brokerAccountId: order.brokerAccountId,
    leg: name,
    clientOrderId: clientOrderId(trade.id, order.executionId, name),
    symbol: order.symbol,
    side: side as OrderRow["side"],
    quantity: trade.quantity!,
    referencePrice: order.referencePrice,
    triggerPrice,
  });
  const pair = insertProtectiveLegs(
    db,
    [leg("stop", trade.stopLoss), leg("take_profit", trade.takeProfit)],
    now,
  );
  if (order.leg === "open") return answer.status === "filled" ? { statements: [pair], commits: true } : null;
  if (order.leg !== "close") return null;
  // Reopened: a pair still resting (the exit was void before it was sent) protects it as it is; one whose
  // entry never filled has no position to protect.
  const live = b.tradeOrders.some((o) => isProtective(o.leg) && !isFinal(o.state));
  const legsAsRead = guard(
    sql`EXISTS (SELECT 1 FROM orders WHERE ${and(
      eq(orders.tradeId, trade.id),
      inArray(orders.leg, [...PROTECTIVE_LEGS]),
      inArray(orders.state, LIVE_STATES),
    )}) = ${Number(live)}`,
  );
  const commits = !live && b.tradeOrders.some((o) => o.leg === "open" && o.state === "filled");
  return { statements: commits ? [legsAsRead, pair] : [legsAsRead], commits };
}
