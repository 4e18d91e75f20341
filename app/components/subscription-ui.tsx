// Small display pieces of the subscription pages: status badge, P&L, stat tile, money/price/time formatting.
import type { ReactNode } from "react";

const STATUS_STYLE = {
  active: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  paused: "bg-amber-50 text-amber-800 ring-amber-600/20",
  cancelled: "bg-slate-100 text-slate-600 ring-slate-500/20",
} as const;

export function StatusBadge({ status }: { status: string }) {
  const style = STATUS_STYLE[status as keyof typeof STATUS_STYLE] ?? STATUS_STYLE.cancelled;
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style}`}
    >
      <span
        aria-hidden
        className={`h-1.5 w-1.5 rounded-full ${status === "active" ? "bg-emerald-500" : status === "paused" ? "bg-amber-500" : "bg-slate-400"}`}
      />
      {status[0].toUpperCase() + status.slice(1)}
    </span>
  );
}

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatMoney(value: number) {
  return `${money.format(value)} USDT`;
}

/** Prices keep the precision small coins need. */
export function formatPrice(value: number | null | undefined) {
  if (value === null || value === undefined) return "—";
  const digits = Math.abs(value) >= 100 ? 2 : Math.abs(value) >= 1 ? 4 : 6;
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: digits });
}

export function formatQty(value: number | null | undefined) {
  if (value === null || value === undefined) return "—";
  return value.toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** UTC, the same on the server and in the browser (no hydration mismatch), as traders read candles. */
export function formatTime(epochMs: number | null | undefined) {
  if (epochMs === null || epochMs === undefined) return "—";
  return `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function Pnl({ value, className = "" }: { value: number | null | undefined; className?: string }) {
  if (value === null || value === undefined) return <span className={`text-slate-400 ${className}`}>—</span>;
  const color = value > 0 ? "text-emerald-600" : value < 0 ? "text-rose-600" : "text-slate-600";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "";
  return (
    <span className={`tabular-nums ${color} ${className}`}>
      {sign}
      {formatMoney(Math.abs(value))}
    </span>
  );
}

/** Machine reasons (max_daily_loss, stop_loss...) as words. */
export function humanReason(reason: string | null | undefined) {
  if (!reason) return "—";
  const text = reason.replace(/_/g, " ");
  return text[0].toUpperCase() + text.slice(1);
}

export function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 shadow-sm">
      <dt className="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 font-medium tabular-nums text-slate-900">{children}</dd>
    </div>
  );
}

/** P&L, trades, wins / losses and open positions: the figures the list and the subscription page both show. */
export function SubscriptionStats({
  s,
  className = "",
}: {
  s: { totalPnl: number; tradesCount: number; wins: number; losses: number; openPositions: number };
  className?: string;
}) {
  return (
    <dl className={`grid grid-cols-2 gap-3 text-sm sm:grid-cols-4 ${className}`}>
      <Stat label="P&L">
        <Pnl value={s.totalPnl} className="text-base font-semibold" />
      </Stat>
      <Stat label="Trades">{s.tradesCount}</Stat>
      <Stat label="Wins / losses">
        <span className="text-emerald-600">{s.wins}</span> / <span className="text-rose-600">{s.losses}</span>
      </Stat>
      <Stat label="Open positions">{s.openPositions}</Stat>
    </dl>
  );
}
