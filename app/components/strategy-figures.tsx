// The figures backtesting.py and quantstats users look for (CAGR, Calmar, exposure, per-trade figures, SQN) and how each is computed.
import { formatCount, formatDecimal, formatSignedPct } from "./market-format";
import { isMarked, Stat } from "./market-stats";

export interface StrategyFiguresValues {
  trades?: number | null;
  cagrPct?: number | null;
  calmar?: number | null;
  exposurePct?: number | null;
  avgTradePct?: number | null;
  bestTradePct?: number | null;
  worstTradePct?: number | null;
  maxConsecutiveLosses?: number | null;
  sqn?: number | null;
  closedMaxDrawdownPct?: number | null;
  equityBasis?: string | null;
}

const pct = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? "—" : `${formatDecimal(n)} %`;

/** The definitions, in the words the page shows (ADR 127 is the long form). */
export const FIGURE_DEFINITIONS: [term: string, definition: string][] = [
  [
    "Equity curve",
    "Marked to market at every close of the strategy's markets: closed trades' P&L plus the open positions valued at that close (exit fees are deducted at the exit). It never goes below 0.",
  ],
  [
    "Return, drawdown, Sharpe, Sortino, CAGR, Calmar",
    "Computed on the marked curve. The closed-trade drawdown is the same measure on the equity after each closed trade only.",
  ],
  ["Return", "Last equity over the first, − 1, in percent; never below −100 %."],
  [
    "Max drawdown",
    "Largest fall of the equity from its running peak, in percent of that peak (at most 100 %).",
  ],
  [
    "Win rate",
    "Closed trades with a P&L above 0 after fees over all closed trades (a break-even is a loss).",
  ],
  ["Profit factor", "Gross profit over gross loss of the closed trades. Not defined without a losing trade."],
  [
    "Sharpe",
    "Mean over sample standard deviation of the daily returns (each UTC day's last equity over the previous day's), × √365 (crypto trades every day), risk-free rate 0. Not defined with fewer than two days or no variation.",
  ],
  [
    "Sortino",
    "Mean daily return over the downside deviation, the root mean square of the negative daily returns taken over all days (positive days count as 0), × √365, target 0.",
  ],
  ["CAGR", "(last equity / first equity)^(365 days / span) − 1. Not defined under one day."],
  ["Calmar", "CAGR over the maximum drawdown (marked). Not defined without a drawdown."],
  ["Exposure", "Share of the period with at least one position open (closed trades)."],
  ["Average, best, worst trade", "A trade's P&L in percent of the capital."],
  ["Max consecutive losses", "Longest run of trades closed at a P&L of 0 or less."],
  [
    "SQN",
    "√trades × mean over sample standard deviation of the trades' P&L (Van Tharp). Not defined under two trades.",
  ],
];

/** Why the figures are on the closed-trade curve, under them. */
function ClosedBasisNote({ computedBefore127 }: { computedBefore127: boolean }) {
  return (
    <p className="text-xs text-slate-600" data-testid="closed-basis-note">
      {computedBefore127
        ? "Computed before figures were marked to market: the return, drawdown, Sharpe and Sortino are on the equity after each closed trade, and the figures shown as — were not computed. Run the backtest again for them."
        : "No close price was recorded to value the open positions at: the return, drawdown, Sharpe, Sortino, CAGR and Calmar are on the equity after each closed trade."}
    </p>
  );
}

export function StrategyFigures({ stats }: { stats: StrategyFiguresValues }) {
  const none = !stats.trades;
  const marked = isMarked(stats);
  const closedDrawdown = stats.closedMaxDrawdownPct ? -stats.closedMaxDrawdownPct : 0;
  const count = (n: number | null | undefined) =>
    none || n === null || n === undefined ? "—" : formatCount(n);
  const figures: [label: string, value: string, hint: string][] = [
    ["CAGR", formatSignedPct(stats.cagrPct), "Compound annual growth rate, 365-day years"],
    [
      "Calmar",
      formatDecimal(stats.calmar),
      `CAGR over the maximum drawdown (${marked ? "marked" : "closed trades"})`,
    ],
    ["Exposure", none ? "—" : pct(stats.exposurePct), "Time with a position open"],
    ["Average trade", formatSignedPct(stats.avgTradePct), "Mean P&L in % of capital"],
    ["Best trade", formatSignedPct(stats.bestTradePct), "Best P&L in % of capital"],
    ["Worst trade", formatSignedPct(stats.worstTradePct), "Worst P&L in % of capital"],
    ["Max consecutive losses", count(stats.maxConsecutiveLosses), "Longest losing run"],
    ["SQN", formatDecimal(stats.sqn), "System Quality Number"],
  ];
  // Without marking, the drawdown beside the return is already the closed-trade one.
  if (marked)
    figures.push([
      "Max drawdown (closed trades)",
      none ? "—" : formatSignedPct(closedDrawdown),
      "Largest fall of the equity after each closed trade only",
    ]);
  return (
    <div className="mt-2 space-y-3">
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-5" aria-label="More figures">
        {figures.map(([label, value, hint]) => (
          <Stat key={label} label={label} value={value} hint={hint} />
        ))}
      </dl>
      {marked || none ? null : (
        <ClosedBasisNote computedBefore127={typeof stats.closedMaxDrawdownPct !== "number"} />
      )}
      <details className="text-xs text-slate-600">
        <summary className="cursor-pointer font-medium text-slate-700">
          How these figures are computed
        </summary>
        <dl className="mt-2 space-y-1.5">
          {FIGURE_DEFINITIONS.map(([term, definition]) => (
            <div key={term}>
              <dt className="inline font-medium text-slate-700">{term}: </dt>
              <dd className="inline">{definition}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}
