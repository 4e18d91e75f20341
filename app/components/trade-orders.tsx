// A trade's exchange orders under its row on the subscription page: each leg's state in plain words.
import {
  isFinal,
  isProtective,
  ORDER_LEG_LABEL,
  ORDER_STATE_TEXT,
  type OrderLeg,
  type OrderState,
} from "../../db/contracts/order-states";
import { formatPrice, formatQty } from "./subscription-ui";

export interface TradeOrderRow {
  leg: OrderLeg;
  state: OrderState;
  clientOrderId: string;
  exchangeOrderId: string | null;
  /** A resting leg's level (stop-loss, take-profit). */
  triggerPrice: number | null;
  reason: string | null;
  filledQuantity: number | null;
  averagePrice: number | null;
}

const TONE: Partial<Record<OrderState, string>> = {
  filled: "bg-emerald-50 text-emerald-700",
  unknown: "bg-amber-50 text-amber-800",
  void: "bg-slate-100 text-slate-700",
  rejected: "bg-rose-50 text-rose-700",
};

/**
 * An open trade whose newest stop-loss and take-profit the exchange refused (a level already crossed, say),
 * with nothing else resting for it, in plain words: the candle-close checks guard it instead (ADR 144).
 */
export function refusedProtection(tradeStatus: string, orders: TradeOrderRow[]): string | null {
  const legs = orders.filter((o) => isProtective(o.leg));
  const refused = legs.slice(-2).find((o) => o.state === "rejected");
  if (tradeStatus !== "open" || !refused || legs.some((o) => !isFinal(o.state))) return null;
  return (
    "The exchange refused this trade's stop-loss and take-profit, so they do not rest on the exchange: " +
    `Candlecast checks them at each candle close instead.${refused.reason ? ` The exchange said: ${refused.reason}` : ""}`
  );
}

export function TradeOrders({ orders, tradeStatus }: { orders: TradeOrderRow[]; tradeStatus: string }) {
  const refused = refusedProtection(tradeStatus, orders);
  return (
    <>
      {refused ? (
        <p role="note" className="mb-1 rounded bg-amber-50 px-2 py-1 text-xs text-amber-800">
          {refused}
        </p>
      ) : null}
      <OrderList orders={orders} />
    </>
  );
}

function OrderList({ orders }: { orders: TradeOrderRow[] }) {
  return (
    <ul className="space-y-1 text-xs text-slate-600" aria-label="Exchange orders">
      {orders.map((o) => {
        const text = ORDER_STATE_TEXT[o.state];
        return (
          <li key={o.clientOrderId} data-order-state={o.state} className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{ORDER_LEG_LABEL[o.leg]}</span>
            <span
              className={`rounded-full px-2 py-0.5 font-medium ${TONE[o.state] ?? "bg-brand-50 text-brand-700"}`}
              title={text.meaning}
            >
              {text.label}
            </span>
            {o.filledQuantity ? (
              <span className="tabular-nums">
                {formatQty(o.filledQuantity)} at {formatPrice(o.averagePrice)}
              </span>
            ) : o.triggerPrice !== null ? (
              <span className="tabular-nums">at {formatPrice(o.triggerPrice)}</span>
            ) : null}
            <span className="text-slate-500">
              exchange id {o.exchangeOrderId ?? "—"} · client id <code>{o.clientOrderId}</code>
            </span>
            {o.reason ? <span className="text-slate-500">{o.reason}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

/** The meaning of the states a subscriber may not know (checking, never placed), when the table shows one. */
export function OrderStatesLegend({ states }: { states: OrderState[] }) {
  const shown = (["unknown", "void"] as const).filter((s) => states.includes(s));
  if (shown.length === 0) return null;
  return (
    <dl className="space-y-1 border-t border-slate-100 px-4 py-3 text-xs text-slate-600">
      {shown.map((s) => (
        <div key={s}>
          <dt className="inline font-medium">{ORDER_STATE_TEXT[s].label}: </dt>
          <dd className="inline">{ORDER_STATE_TEXT[s].meaning}</dd>
        </div>
      ))}
    </dl>
  );
}
