// /strategies/:slug/backtest: backtest a version over a period of one of its markets on a worker; live progress, then stats, equity and trades.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import { ChartEquity } from "~/components/chart-equity";
import { FormError, SelectField, SubmitButton, TextField } from "~/components/forms";
import { formatUtcDate } from "~/components/market-format";
import { MarketSourceBadge } from "~/components/market-source-badge";
import { curveWords, MarketStats } from "~/components/market-stats";
import { StrategyFigures, type StrategyFiguresValues } from "~/components/strategy-figures";
import { RiskFields, submittedRiskValues } from "~/components/subscription-risk-fields";
import { useLiveEvents } from "~/components/subscription-live";
import { formatPrice, formatQty, formatTime, humanReason, Pnl } from "~/components/subscription-ui";
import { JobsUnavailableError, requestBacktest } from "~/services/author-jobs.server";
import { formFieldErrors } from "~/services/domain-errors.server";
import { requireUserId } from "~/session.server";
import {
  marketSourceLabel,
  RESOLUTION_MS,
  SIMULATED_SOURCE,
  type Resolution,
} from "../../db/contracts/domain";
import { backtestProgressSchema } from "../../db/contracts/events";
import { getVisibleStrategy, latestEventSeq, listVersions } from "../../db/store/queries/author";
import { getBacktest, listBacktests, type BacktestTrade } from "../../db/store/queries/backtests";
import { backtestRequestSchema } from "../../db/contracts/validation/backtest";
import { parseInput } from "../../db/contracts/validation/fields";
import { RISK_DEFAULTS_INPUT } from "../../db/contracts/validation/risk-settings";
import { readForm } from "~/request-body.server";
import { echoedText } from "~/form-echo";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Backtest ${data?.strategy.name ?? ""} · Candlecast` },
];

const DAY_MS = 86_400_000;
/** The default period: about 1,000 candles of the latest version's resolution, ending at today's 00:00 UTC. */
function defaultPeriod(resolution: string | null, now: number) {
  const to = Math.floor(now / DAY_MS) * DAY_MS;
  const ms = RESOLUTION_MS[(resolution ?? "1h") as Resolution] ?? RESOLUTION_MS["1h"];
  const days = Math.min(365, Math.max(1, Math.round((1000 * ms) / DAY_MS)));
  return { from: to - days * DAY_MS, to };
}

async function visibleStrategy(
  request: Request,
  context: LoaderFunctionArgs["context"],
  slug: string | undefined,
) {
  const userId = await requireUserId(request, context);
  const strategy = await getVisibleStrategy(context.app.store.db, userId, slug ?? "");
  if (!strategy) throw new Response("Strategy not found", { status: 404 });
  return { userId, strategy };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { userId, strategy } = await visibleStrategy(request, context, params.slug);
  const db = context.app.store.db;
  const url = new URL(request.url);
  const [versions, history, since] = await Promise.all([
    listVersions(db, strategy.id),
    listBacktests(db, userId, { limit: 10 }, strategy.id),
    latestEventSeq(db),
  ]);
  const selectedId = url.searchParams.get("id") ?? history.items[0]?.id;
  const selected = selectedId ? await getBacktest(db, userId, selectedId) : undefined;
  return json({
    strategy: {
      id: strategy.id,
      slug: strategy.slug,
      name: strategy.name,
      mine: strategy.authorId === userId,
      visibility: strategy.visibility,
    },
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      symbols: v.symbols,
      resolution: v.resolution,
      status: v.status,
      latest: v.id === strategy.latestVersionId,
    })),
    history: history.items,
    selected: selected ?? null,
    defaults: defaultPeriod(strategy.resolution, Date.now()),
    since,
    jobsAvailable: Boolean(context.app.jobs),
    marketSource: context.app.config.marketData.source,
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { userId, strategy } = await visibleStrategy(request, context, params.slug);
  const form = await readForm(request);
  const values = {
    ...submittedRiskValues(form),
    ...Object.fromEntries(
      ["versionId", "symbol", "source", "from", "to"].map((k) => [k, echoedText(form, k)]),
    ),
  };
  const parsed = parseInput(backtestRequestSchema, {
    ...RISK_DEFAULTS_INPUT,
    ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "")),
  });
  if (!parsed.ok)
    return json({ errors: parsed.errors, values, formError: null as string | null }, { status: 400 });
  try {
    const created = await requestBacktest(context, userId, strategy.id, parsed.data);
    if (!created) throw new Response("Strategy not found", { status: 404 });
    return redirect(`/strategies/${strategy.slug}/backtest?id=${created.id}`);
  } catch (error) {
    if (error instanceof JobsUnavailableError)
      return json({ errors: {}, values, formError: error.message }, { status: 503 });
    return json({ errors: formFieldErrors(error), values, formError: null }, { status: 400 });
  }
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function ProgressBar({ progress, message }: { progress: number; message: string }) {
  const pct = Math.round(progress * 100);
  return (
    <div className="space-y-2">
      <div
        role="progressbar"
        aria-label="Backtest progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="h-3 overflow-hidden rounded-full bg-slate-100"
      >
        <div
          className="h-full rounded-full bg-brand-500 transition-[width] duration-300"
          style={{ width: `${Math.max(3, pct)}%` }}
        />
      </div>
      <p className="text-sm text-slate-600">
        {pct} % · {message}
      </p>
    </div>
  );
}

function TradesTable({ trades }: { trades: BacktestTrade[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? trades : trades.slice(-50).reverse();
  if (trades.length === 0)
    return (
      <p className="text-sm text-slate-600">No trade in this period: the strategy never opened a position.</p>
    );
  return (
    <div className="space-y-2">
      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="py-2 pr-4">
                Opened
              </th>
              <th scope="col" className="py-2 pr-4">
                Side
              </th>
              <th scope="col" className="py-2 pr-4 text-right">
                Quantity
              </th>
              <th scope="col" className="py-2 pr-4 text-right">
                Entry
              </th>
              <th scope="col" className="py-2 pr-4 text-right">
                Exit
              </th>
              <th scope="col" className="py-2 pr-4">
                Exit reason
              </th>
              <th scope="col" className="py-2 pr-4">
                Closed
              </th>
              <th scope="col" className="py-2 text-right">
                P&amp;L
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {shown.map((t, i) => (
              <tr key={`${t.openedAt}-${i}`}>
                <td className="whitespace-nowrap py-1.5 pr-4 tabular-nums">{formatTime(t.openedAt)}</td>
                <td
                  className={`py-1.5 pr-4 font-medium ${t.side === "LONG" ? "text-emerald-700" : "text-rose-700"}`}
                >
                  {t.side}
                </td>
                <td className="py-1.5 pr-4 text-right tabular-nums">{formatQty(t.quantity)}</td>
                <td className="py-1.5 pr-4 text-right tabular-nums">{formatPrice(t.entryPrice)}</td>
                <td className="py-1.5 pr-4 text-right tabular-nums">{formatPrice(t.exitPrice)}</td>
                <td className="py-1.5 pr-4">{humanReason(t.exitReason)}</td>
                <td className="whitespace-nowrap py-1.5 pr-4 tabular-nums">{formatTime(t.closedAt)}</td>
                <td className="py-1.5 text-right">
                  <Pnl value={t.pnl} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {trades.length > 50 ? (
        <button type="button" onClick={() => setAll(!all)} className="text-sm text-brand-700 hover:underline">
          {all ? "Show the latest 50" : `Show all ${trades.length} trades`}
        </button>
      ) : null}
    </div>
  );
}

export default function BacktestPage() {
  const { strategy, versions, history, selected, defaults, since, jobsAvailable, marketSource } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const values: Record<string, string> = result?.values ?? {};
  const revalidator = useRevalidator();
  const running = selected && (selected.status === "queued" || selected.status === "running");
  const [live, setLive] = useState<{ id: string; progress: number; message: string } | null>(null);

  useLiveEvents(since, (event) => {
    if (event.type !== "backtest.progress") return;
    const parsed = backtestProgressSchema.safeParse(event.payload);
    if (!parsed.success || parsed.data.backtestId !== selected?.id) return;
    setLive({
      id: parsed.data.backtestId,
      progress: parsed.data.progress,
      message: parsed.data.message ?? parsed.data.status,
    });
    if (parsed.data.status === "completed" || parsed.data.status === "failed") revalidator.revalidate();
  });
  // Polling backs the event stream up (a dropped stream, a web replica the worker's bus does not reach).
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 2000);
    return () => clearInterval(timer);
  }, [running, revalidator]);

  const latest = versions.find((v) => v.latest) ?? versions[0];
  const symbols = [...new Set(versions.flatMap((v) => v.symbols))];
  const progress =
    live && live.id === selected?.id
      ? live
      : selected
        ? {
            progress: selected.progress,
            message: selected.status === "queued" ? "Waiting for a worker" : "Running",
          }
        : null;
  const stats = selected?.stats as Parameters<typeof MarketStats>[0]["stats"] | null;

  return (
    <div className="space-y-6">
      <div>
        <Link
          to={strategy.mine ? `/author/strategies/${strategy.id}` : `/strategies/${strategy.slug}`}
          className="text-sm text-brand-700 hover:underline"
        >
          ← {strategy.name}
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">Backtest {strategy.name}</h1>
        <p className="mt-1 text-slate-600">
          Replays a version over past candles with the same risk rules and paper fills as live trading.
          Backtest results are not live performance.
        </p>
      </div>

      {versions.length === 0 ? (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Publish a version before running a backtest.
        </p>
      ) : (
        <Form method="post" className="space-y-5 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <FormError
            error={
              result?.formError ??
              (jobsAvailable
                ? undefined
                : "No worker queue is reachable from this server: backtests are unavailable.")
            }
          />
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <SelectField
              name="versionId"
              label="Version"
              defaultValue={values.versionId || latest?.id}
              error={errors.versionId}
              options={versions.map((v) => ({
                value: v.id,
                label: `${v.version}${v.latest ? " (latest)" : v.status === "deprecated" ? " (deprecated)" : ""} · ${v.resolution}`,
              }))}
            />
            <SelectField
              name="symbol"
              label="Market"
              defaultValue={values.symbol || latest?.symbols[0]}
              error={errors.symbol}
              options={symbols.map((s) => ({ value: s, label: s }))}
            />
            <TextField
              name="from"
              label="From"
              type="date"
              defaultValue={values.from || isoDate(defaults.from)}
              error={errors.from}
              required
            />
            <TextField
              name="to"
              label="To"
              type="date"
              defaultValue={values.to || isoDate(defaults.to)}
              error={errors.to}
              required
            />
          </div>
          {marketSource === SIMULATED_SOURCE ? (
            <p className="flex flex-wrap items-center gap-1.5 text-sm text-slate-600">
              Candles: <MarketSourceBadge source={marketSource} /> (this deployment has no exchange
              configured)
            </p>
          ) : (
            <SelectField
              name="source"
              label="Candles"
              defaultValue={values.source || marketSource}
              error={errors.source}
              help="Stored exchange history (npm run data -- download), or the built-in simulated market."
              options={[
                { value: marketSource, label: `${marketSourceLabel(marketSource)} (stored history)` },
                { value: SIMULATED_SOURCE, label: "Simulated market" },
              ]}
            />
          )}
          <details
            className="rounded-lg border border-slate-200 px-4 py-3"
            open={Object.keys(errors).some((k) => k in RISK_DEFAULTS_INPUT)}
          >
            <summary className="cursor-pointer text-sm font-medium text-slate-800">
              Risk settings (the subscribe form's defaults)
            </summary>
            <div className="mt-4">
              <RiskFields
                values={{
                  ...RISK_DEFAULTS_INPUT,
                  ...Object.fromEntries(
                    Object.entries(values).filter(([k, v]) => k in RISK_DEFAULTS_INPUT && v !== ""),
                  ),
                }}
                errors={errors}
              />
            </div>
          </details>
          <SubmitButton pendingLabel="Queuing…" disabled={!jobsAvailable}>
            Run backtest
          </SubmitButton>
        </Form>
      )}

      {selected ? (
        <section
          aria-label="Backtest result"
          className="space-y-5 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
        >
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 className="flex flex-wrap items-center gap-2 text-base font-semibold text-slate-900">
              {selected.symbol} · {selected.resolution} · {formatUtcDate(selected.fromTime)} →{" "}
              {formatUtcDate(selected.toTime)}
              <MarketSourceBadge source={selected.marketSource} />
            </h2>
            <span className="text-sm text-slate-500">
              {versions.find((v) => v.id === selected.versionId)?.version
                ? `v${versions.find((v) => v.id === selected.versionId)!.version} · `
                : ""}
              {selected.status}
            </span>
          </div>
          {running && progress ? (
            <ProgressBar progress={progress.progress} message={progress.message} />
          ) : null}
          {selected.status === "failed" ? (
            <div role="alert" className="space-y-2">
              <p className="font-medium text-rose-700">The backtest failed.</p>
              <pre className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-rose-100">
                {selected.error}
              </pre>
            </div>
          ) : null}
          {selected.status === "completed" && stats ? (
            <>
              <MarketStats stats={stats} />
              <StrategyFigures stats={stats as StrategyFiguresValues} />
              <ChartEquity
                points={(selected.equity ?? []).map(([time, value]) => ({ time, value }))}
                label={`Backtest equity curve, ${curveWords(stats)}`}
                emptyMessage="No closed trade: the equity stayed flat."
              />
              <div>
                <h3 className="mb-2 text-sm font-semibold text-slate-900">Trades</h3>
                <TradesTable trades={(selected.trades ?? []) as unknown as BacktestTrade[]} />
              </div>
            </>
          ) : null}
        </section>
      ) : null}

      {history.length > 1 ? (
        <section
          aria-label="Earlier backtests"
          className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
        >
          <h2 className="mb-3 text-base font-semibold text-slate-900">Your earlier backtests</h2>
          <ul className="space-y-1 text-sm">
            {history.map((b) => (
              <li key={b.id}>
                <Link
                  to={`?id=${b.id}`}
                  className={`hover:underline ${b.id === selected?.id ? "font-semibold text-slate-900" : "text-brand-700"}`}
                >
                  v{b.version} · {b.symbol} · {formatUtcDate(b.fromTime)} → {formatUtcDate(b.toTime)}
                </Link>
                <span className="ml-2 text-slate-500">{b.status}</span>{" "}
                <MarketSourceBadge source={b.marketSource} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
