// The subscription page's trades table and recent-signals list; both scroll sideways on a phone instead of overflowing.
import { Fragment } from "react";
import { formatPrice, formatQty, formatTime, humanReason, Pnl } from "./subscription-ui";
import { OrderStatesLegend, TradeOrders, type TradeOrderRow } from "./trade-orders";

export interface TradeRow {
  id: string;
  symbol: string;
  side: "LONG" | "SHORT" | null;
  status: string;
  quantity: number | null;
  entryPrice: number | null;
  stopLoss: number | null;
  takeProfit: number | null;
  exitPrice: number | null;
  pnl: number | null;
  exitReason: string | null;
  openedAt: number;
  closedAt: number | null;
  /** Exchange accounts: the trade's orders. */
  orders?: TradeOrderRow[];
}

export interface SignalRow {
  executionId: string;
  closeTime: number;
  symbol: string;
  status: string;
  signal: string | null;
  price: number | null;
  errorMessage: string | null;
  tradeStatus: string | null;
  tradeReason: string | null;
  tradeSide: string | null;
}

const th = "whitespace-nowrap px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-slate-500";
const td = "whitespace-nowrap px-3 py-2 tabular-nums";

function SideBadge({ side }: { side: string | null }) {
  if (!side) return <span className="text-slate-400">—</span>;
  return (
    <span
      className={`rounded px-1.5 py-0.5 text-xs font-semibold ${side === "LONG" ? "bg-emerald-50 text-emerald-700" : "bg-rose-50 text-rose-700"}`}
    >
      {side}
    </span>
  );
}

export function SubscriptionTrades({ trades, limit }: { trades: TradeRow[]; limit: number }) {
  return (
    <section
      aria-labelledby="trades-heading"
      className="rounded-xl border border-slate-200 bg-white shadow-sm"
    >
      <div className="flex items-baseline justify-between gap-2 border-b border-slate-200 px-4 py-3">
        <h2 id="trades-heading" className="text-base font-semibold">
          Trades
        </h2>
        <span className="text-xs text-slate-500">
          {trades.length >= limit ? `Latest ${limit}` : `${trades.length} total`}
        </span>
      </div>
      {trades.length === 0 ? (
        <p className="px-4 py-8 text-center text-sm text-slate-500">
          No trades yet. They appear here as soon as a signal opens a position.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-100 text-sm">
            <thead className="bg-slate-50">
              <tr>
                {["Opened", "Symbol", "Side", "Qty", "Entry", "SL", "TP", "Exit", "P&L", "Status"].map(
                  (h) => (
                    <th key={h} scope="col" className={th}>
                      {h}
                    </th>
                  ),
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {trades.map((t) => (
                <Fragment key={t.id}>
                  <tr data-trade-status={t.status}>
                    <td className={`${td} text-slate-600`}>{formatTime(t.openedAt)}</td>
                    <td className={`${td} font-medium`}>{t.symbol}</td>
                    <td className={td}>
                      <SideBadge side={t.side} />
                    </td>
                    <td className={td}>{formatQty(t.quantity)}</td>
                    <td className={td}>{formatPrice(t.entryPrice)}</td>
                    <td className={`${td} text-slate-500`}>{formatPrice(t.stopLoss)}</td>
                    <td className={`${td} text-slate-500`}>{formatPrice(t.takeProfit)}</td>
                    <td className={td}>{formatPrice(t.exitPrice)}</td>
                    <td className={td}>
                      <Pnl value={t.pnl} />
                    </td>
                    <td className={td}>
                      {t.status === "open" ? (
                        <span className="rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700">
                          Open
                        </span>
                      ) : (
                        <span className="text-slate-600" title={formatTime(t.closedAt)}>
                          {humanReason(t.exitReason)}
                        </span>
                      )}
                    </td>
                  </tr>
                  {t.orders?.length ? (
                    <tr>
                      <td colSpan={10} className="px-3 pb-2 pt-0">
                        <TradeOrders orders={t.orders} tradeStatus={t.status} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
          <OrderStatesLegend states={trades.flatMap((t) => t.orders?.map((o) => o.state) ?? [])} />
        </div>
      )}
    </section>
  );
}

function outcome(s: SignalRow): { text: string; tone: string } {
  if (s.status === "FAILED") return { text: "Strategy error: no trade", tone: "text-rose-600" };
  if (s.tradeStatus === "open" || s.tradeStatus === "closed")
    return { text: `Opened ${s.tradeSide ?? ""}`.trim(), tone: "text-emerald-700" };
  if (s.tradeStatus === "skipped" || s.tradeStatus === "rejected") {
    return {
      text: `${s.tradeStatus === "skipped" ? "Skipped" : "Rejected"}: ${humanReason(s.tradeReason).toLowerCase()}`,
      tone: "text-amber-700",
    };
  }
  if (s.status === "SKIPPED")
    return { text: humanReason(s.errorMessage ?? "skipped"), tone: "text-slate-500" };
  return { text: "No trade", tone: "text-slate-500" };
}

export function SubscriptionSignals({ signals }: { signals: SignalRow[] }) {
  return (
    <section
      aria-labelledby="signals-heading"
      className="rounded-xl border border-slate-200 bg-white shadow-sm"
    >
      <h2 id="signals-heading" className="border-b border-slate-200 px-4 py-3 text-base font-semibold">
        Recent signals
      </h2>
      {signals.length === 0 ? (
        <p className="px-4 py-8 text-center text-sm text-slate-500">
          Waiting for the next candle close. Each run of the strategy appears here, with what it did for you.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {signals.map((s) => {
            const o = outcome(s);
            return (
              <li
                key={s.executionId}
                data-execution-id={s.executionId}
                className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 px-4 py-2.5 text-sm"
              >
                <span className="flex items-center gap-3">
                  <span className="font-mono text-xs text-slate-500">{formatTime(s.closeTime)}</span>
                  <span className="font-medium">{s.symbol}</span>
                  <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-semibold text-slate-700">
                    {s.signal ?? s.status}
                  </span>
                  {s.price !== null ? (
                    <span className="tabular-nums text-slate-500">@ {formatPrice(s.price)}</span>
                  ) : null}
                </span>
                <span className={o.tone}>{o.text}</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
