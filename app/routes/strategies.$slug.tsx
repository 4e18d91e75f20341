// A public strategy's page: what it is, how it has done live and in backtests, its signals and versions.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ChartEquity } from "~/components/chart-equity";
import { MarketBacktests } from "~/components/market-backtests";
import { marketSourceLabel } from "../../db/contracts/domain";
import { MarketChart } from "~/components/market-chart";
import { MarketBadge } from "~/components/market-card";
import { MarketSourceBadge } from "~/components/market-source-badge";
import { formatCount, formatUtcDate } from "~/components/market-format";
import { MarketSignals } from "~/components/market-signals";
import { curveWords, MarketStats } from "~/components/market-stats";
import { StrategyFigures } from "~/components/strategy-figures";
import { loadMarketChart } from "~/market-chart.server";
import { loadStrategyPage } from "~/marketplace.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        { title: `${data.strategy.name} — Candlecast` },
        { name: "description", content: data.strategy.description.slice(0, 160) },
      ]
    : [{ title: "Strategy not found — Candlecast" }];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const page = await loadStrategyPage(context.app.store.db, params.slug ?? "");
  return json({ ...page, chart: await loadMarketChart(context, request, page.strategy) });
}

function Section({
  title,
  aside,
  children,
}: {
  title: string;
  aside?: React.ReactNode;
  children: React.ReactNode;
}) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section
      aria-labelledby={id}
      className="min-w-0 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
    >
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

function BacktestProgress({
  backtest: b,
}: {
  backtest: { status: string; progress: number; symbol: string; resolution: string; marketSource: string };
}) {
  const pct = Math.round(b.progress * 100);
  return (
    <div className="mb-3" data-testid="backtest-progress">
      <p className="text-sm text-slate-700">
        {b.status === "queued" ? "Backtest queued" : `Backtest running: ${pct} %`} ({b.symbol} {b.resolution},{" "}
        {marketSourceLabel(b.marketSource)}); its figures appear here when it completes.
      </p>
      <div
        role="progressbar"
        aria-label="Backtest progress"
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
        className="mt-1 h-1.5 w-full overflow-hidden rounded bg-slate-100"
      >
        <div className="h-full bg-amber-400" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** The live section before any trade has closed: one line saying when figures come, not a grid of dashes. */
function NoLiveTrades({ hasBacktests }: { hasBacktests: boolean }) {
  return (
    <div
      className="rounded-lg border border-dashed border-slate-300 bg-slate-50/60 px-4 py-8 text-center"
      data-testid="no-live-trades"
    >
      <p className="text-sm font-medium text-slate-700">No closed live trades yet</p>
      <p className="mx-auto mt-1 max-w-md text-sm text-slate-500">
        The figures and the equity curve appear once a subscriber's first trade has closed.
        {hasBacktests ? " The backtests below show how it did on history." : ""}
      </p>
    </div>
  );
}

export default function StrategyPage() {
  const {
    strategy,
    versions,
    performance,
    annualisationDays,
    signals,
    backtests,
    backtestInProgress,
    marketSources,
    chart,
  } = useLoaderData<typeof loader>();
  return (
    <article className="space-y-6">
      <nav aria-label="Breadcrumb">
        <Link to="/" className="text-sm text-slate-500 hover:text-brand-700">
          ← Marketplace
        </Link>
      </nav>

      <header className="flex flex-col gap-5 rounded-xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6 md:flex-row md:items-start md:justify-between">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">
            {strategy.name}
          </h1>
          <p className="mt-1 text-sm text-slate-500">
            by <span className="font-medium text-slate-700">{strategy.authorName}</span> · published{" "}
            {formatUtcDate(strategy.createdAt)}
          </p>
          {marketSources.length > 0 ? (
            <p className="mt-2 flex flex-wrap items-center gap-1.5 text-sm text-slate-500">
              Live figures computed on
              {marketSources.map((source) => (
                <MarketSourceBadge key={source} source={source} />
              ))}
            </p>
          ) : null}
          <div className="mt-3 flex flex-wrap gap-1.5" aria-label="Markets">
            {strategy.symbols.map((symbol) => (
              <MarketBadge key={symbol}>{symbol}</MarketBadge>
            ))}
            {strategy.resolution ? (
              <MarketBadge tone="brand">{strategy.resolution} candles</MarketBadge>
            ) : null}
            {strategy.tags.map((tag) => (
              <Link
                key={tag}
                to={`/?tag=${encodeURIComponent(tag)}`}
                className="rounded-full px-2 py-0.5 text-xs font-medium text-slate-600 ring-1 ring-slate-300 hover:bg-slate-50"
              >
                #{tag}
              </Link>
            ))}
          </div>
        </div>
        <div className="flex shrink-0 flex-col items-stretch gap-2 md:items-end">
          <Link
            to={`/strategies/${strategy.slug}/subscribe`}
            className="inline-flex h-11 items-center justify-center rounded-lg bg-brand-600 px-6 text-sm font-semibold text-white shadow-sm hover:bg-brand-700"
          >
            Subscribe
          </Link>
          <Link
            to={`/strategies/${strategy.slug}/backtest`}
            className="inline-flex h-10 items-center justify-center rounded-lg px-6 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
          >
            Run a backtest
          </Link>
          <p className="text-center text-xs text-slate-500 md:text-right">
            {formatCount(strategy.subscriberCount)}{" "}
            {strategy.subscriberCount === 1 ? "subscriber" : "subscribers"} · your own risk settings
          </p>
        </div>
      </header>

      {strategy.description ? (
        <Section title="About this strategy">
          <p className="whitespace-pre-line text-sm leading-6 text-slate-700">{strategy.description}</p>
        </Section>
      ) : null}

      <MarketChart chart={chart} />

      <Section
        title="Live performance"
        aside={
          <span className="rounded-md bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-inset ring-emerald-200">
            Live trades
          </span>
        }
      >
        {performance.trades > 0 ? (
          <>
            <MarketStats stats={performance} />
            <StrategyFigures stats={performance} />
            <div className="mt-5">
              <ChartEquity
                points={performance.equity}
                height={260}
                label={`Live equity curve of ${strategy.name}, ${curveWords(performance)}`}
              />
            </div>
            <p className="mt-3 text-xs text-slate-500">
              Each signal's result is its subscribers' average P&amp;L in percent of their capital; the curve
              follows 100 from the first trade, {curveWords(performance)}. Sharpe and Sortino use daily
              returns, annualised × √{annualisationDays}, risk-free rate 0. Past results do not promise future
              ones.
            </p>
          </>
        ) : (
          <NoLiveTrades hasBacktests={backtests.length > 0 || backtestInProgress !== null} />
        )}
      </Section>

      {backtests.length > 0 || backtestInProgress ? (
        <Section
          title="Backtests"
          aside={
            <span className="rounded-md bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-inset ring-amber-200">
              Simulated on history
            </span>
          }
        >
          <p className="mb-2 text-xs text-slate-500">
            The author's latest completed backtest of each version. Simulations, not live results.
          </p>
          {backtestInProgress ? <BacktestProgress backtest={backtestInProgress} /> : null}
          <MarketBacktests backtests={backtests} />
        </Section>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <Section title="Recent signals">
            <MarketSignals signals={signals} />
          </Section>
        </div>
        <Section title="Versions">
          <ol className="space-y-4">
            {versions.map((v) => (
              <li key={v.id} className="border-l-2 border-slate-200 pl-3">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
                  v{v.version}
                  {v.latest ? <MarketBadge tone="brand">latest</MarketBadge> : null}
                  {v.status === "deprecated" ? <MarketBadge>deprecated</MarketBadge> : null}
                  <span className="text-xs font-normal text-slate-500">{formatUtcDate(v.publishedAt)}</span>
                </p>
                <p className="mt-1 text-xs text-slate-500">
                  {v.symbols.join(", ")} · {v.resolution}
                </p>
                <p className="mt-1 whitespace-pre-line text-sm text-slate-700">
                  {v.changelog || "No changelog."}
                </p>
              </li>
            ))}
          </ol>
        </Section>
      </div>
    </article>
  );
}
