// The grid of performance figures (return, win rate, Sharpe, Sortino, drawdown, profit factor, trades).
import { equityBasisOf } from "../../db/contracts/performance";
import { formatCount, formatDecimal, formatRatioPct, formatSignedPct, returnTone } from "./market-format";

export interface MarketStatsValues {
  returnPct?: number | null;
  winRate?: number | null;
  sharpe?: number | null;
  sortino?: number | null;
  maxDrawdownPct?: number | null;
  profitFactor?: number | null;
  trades?: number | null;
  closedMaxDrawdownPct?: number | null;
  equityBasis?: string | null;
}

/**
 * Whether the equity figures are marked to market (ADR 127) or on the equity after each closed trade
 * (a backtest stored before ADR 127, live executions with no recorded close price to mark at).
 */
export const isMarked = (stats: MarketStatsValues) => equityBasisOf(stats) === "marked";

/** How the curve the figures are on was drawn, for labels: "… equity curve, {curveWords}". */
export const curveWords = (stats: MarketStatsValues) =>
  isMarked(stats) ? "marked to market at each close" : "after each closed trade";

export function Stat({
  label,
  value,
  hint,
  tone = "text-slate-900",
}: {
  label: string;
  value: string;
  hint: string;
  tone?: string;
}) {
  return (
    <div className="rounded-lg bg-slate-50 px-3 py-2.5 ring-1 ring-inset ring-slate-200/70" title={hint}>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className={`mt-1 text-lg font-semibold tabular-nums ${value === "—" ? "text-slate-400" : tone}`}>
        {value}
      </dd>
    </div>
  );
}

export function MarketStats({ stats, compact = false }: { stats: MarketStatsValues; compact?: boolean }) {
  const none = !stats.trades;
  const drawdown = stats.maxDrawdownPct ? -stats.maxDrawdownPct : stats.maxDrawdownPct;
  const marked = isMarked(stats);
  return (
    <dl className={`grid grid-cols-2 gap-2 sm:grid-cols-4 ${compact ? "" : "lg:grid-cols-7"}`}>
      <Stat
        label="Return"
        value={none ? "—" : formatSignedPct(stats.returnPct)}
        tone={returnTone(stats.returnPct)}
        hint="Last equity over the first, in percent"
      />
      <Stat label="Win rate" value={formatRatioPct(stats.winRate)} hint="Winning trades over closed trades" />
      <Stat
        label="Sharpe"
        value={formatDecimal(stats.sharpe)}
        hint="Mean over standard deviation of daily returns, × √365; needs two days"
      />
      <Stat
        label="Sortino"
        value={formatDecimal(stats.sortino)}
        hint="Mean over downside deviation of daily returns, × √365; needs a losing day"
      />
      <Stat
        label={marked ? "Max drawdown (marked)" : "Max drawdown (closed trades)"}
        value={none ? "—" : formatSignedPct(drawdown)}
        tone={drawdown ? "text-rose-600" : "text-slate-900"}
        hint={
          marked
            ? "Largest fall from a peak of the equity marked to market at each close (open positions valued at the close)"
            : "Largest fall from a peak of the equity after each closed trade"
        }
      />
      <Stat
        label="Profit factor"
        value={formatDecimal(stats.profitFactor)}
        hint="Gross profit over gross loss; — without a losing trade"
      />
      <Stat label="Trades" value={formatCount(stats.trades ?? 0)} hint="Closed trades" />
    </dl>
  );
}
