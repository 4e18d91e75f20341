// One strategy in the marketplace grid: name, author, markets, key figures and an equity sparkline.
import { Link } from "@remix-run/react";
import { formatCount, formatRatioPct, formatSignedPct, returnTone } from "./market-format";
import { MarketSourceBadge } from "./market-source-badge";
import { MarketSparkline } from "./market-sparkline";

export interface MarketCardData {
  slug: string;
  name: string;
  description: string;
  authorName: string;
  symbols: string[];
  resolution: string | null;
  subscriberCount: number;
  returnPct: number;
  tradesCount: number;
  winRate: number | null;
  sparkline: number[];
  /** The author's latest completed backtest's return (%), shown, labelled, while there are no live trades. */
  backtestReturnPct: number | null;
  /** That backtest's equity, thinned for a sparkline (empty once there are live trades). */
  backtestSparkline: number[];
  /** The candles that backtest ran on. */
  backtestSource: string | null;
  /** The source the strategy's newest execution read: its live figures' candles (null before any). */
  liveSource: string | null;
  /** Where the figures the card shows come from (the backtest's, or the live ones', else MARKET_DATA's). */
  figuresSource: string;
}

/** Until a strategy has live trades, its card shows the author's latest backtest, labelled so. */
export const showsBacktest = (s: Pick<MarketCardData, "tradesCount" | "backtestReturnPct">) =>
  s.tradesCount === 0 && s.backtestReturnPct !== null;

export function MarketBadge({
  children,
  tone = "slate",
}: {
  children: React.ReactNode;
  tone?: "slate" | "brand";
}) {
  const tones = {
    slate: "bg-slate-100 text-slate-700 ring-slate-200",
    brand: "bg-brand-50 text-brand-700 ring-brand-100",
  };
  return (
    <span
      className={`inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]}`}
    >
      {children}
    </span>
  );
}

function Figure({
  label,
  value,
  className = "text-slate-900",
}: {
  label: string;
  value: string;
  className?: string;
}) {
  return (
    <div>
      <dt className="text-[11px] font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className={`mt-0.5 text-sm font-semibold tabular-nums ${className}`}>{value}</dd>
    </div>
  );
}

/** Live equity once trades have closed; before that the author's backtest, labelled so, or a tidy empty line. */
function CardSparkline({ strategy: s }: { strategy: MarketCardData }) {
  if (s.tradesCount === 0 && s.backtestSparkline.length >= 2)
    return (
      <figure className="flex shrink-0 flex-col items-end">
        <MarketSparkline
          values={s.backtestSparkline}
          label={`Backtest equity of ${s.name} (simulated on history)`}
          width={96}
          height={32}
        />
        <figcaption className="mt-0.5 text-[10px] font-medium uppercase tracking-wide text-amber-700">
          Backtest
        </figcaption>
      </figure>
    );
  return (
    <div className="shrink-0">
      <MarketSparkline values={s.sparkline} label={`Equity trend of ${s.name}`} width={96} height={32} />
    </div>
  );
}

export function MarketCard({ strategy: s }: { strategy: MarketCardData }) {
  const shownSymbols = s.symbols.slice(0, 3);
  const hasTrades = s.tradesCount > 0;
  const backtest = showsBacktest(s);
  return (
    <article className="group relative flex h-full flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm transition hover:border-brand-500/40 hover:shadow-md focus-within:ring-2 focus-within:ring-brand-500">
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="line-clamp-2 text-base font-semibold leading-snug text-slate-900">
            {/* The link covers the whole card; it is the one focusable element, so keyboard users tab card by card. */}
            <Link
              to={`/strategies/${s.slug}`}
              className="outline-none after:absolute after:inset-0 after:rounded-xl group-hover:text-brand-700"
            >
              {s.name}
            </Link>
          </h2>
          <p className="mt-0.5 truncate text-xs text-slate-500">by {s.authorName}</p>
        </div>
        <CardSparkline strategy={s} />
      </div>
      <div className="flex-1">
        <p className="mt-3 line-clamp-2 min-h-[2.5rem] text-sm text-slate-600">
          {s.description || "No description."}
        </p>
        <div className="mt-3 flex flex-wrap gap-1.5">
          {shownSymbols.map((symbol) => (
            <MarketBadge key={symbol}>{symbol}</MarketBadge>
          ))}
          {s.symbols.length > shownSymbols.length ? (
            <MarketBadge>+{s.symbols.length - shownSymbols.length}</MarketBadge>
          ) : null}
          {s.resolution ? <MarketBadge tone="brand">{s.resolution}</MarketBadge> : null}
        </div>
      </div>
      <dl className="mt-4 grid grid-cols-3 gap-2 border-t border-slate-100 pt-4">
        {backtest ? (
          <Figure
            label="Backtest"
            value={formatSignedPct(s.backtestReturnPct)}
            className={returnTone(s.backtestReturnPct)}
          />
        ) : (
          <Figure
            label="Return"
            value={hasTrades ? formatSignedPct(s.returnPct) : "—"}
            className={hasTrades ? returnTone(s.returnPct) : "text-slate-400"}
          />
        )}
        <Figure
          label={hasTrades ? "Win rate" : "Trades"}
          value={hasTrades ? `${formatRatioPct(s.winRate)}` : "0"}
          className={hasTrades ? "text-slate-900" : "text-slate-400"}
        />
        <Figure label="Subscribers" value={formatCount(s.subscriberCount)} />
      </dl>
      <div className="mt-2 flex flex-wrap items-center justify-between gap-x-2 gap-y-1">
        <p className="text-[11px] text-slate-400">
          {hasTrades
            ? `${formatCount(s.tradesCount)} closed trades`
            : backtest
              ? "No live trades yet · backtest return on history"
              : "No closed trades yet"}
        </p>
        <MarketSourceBadge source={s.figuresSource} />
      </div>
    </article>
  );
}
