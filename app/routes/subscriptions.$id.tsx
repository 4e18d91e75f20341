// /subscriptions/:id: one subscription's settings, trades, equity curve and recent signals, updated live.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useState } from "react";
import { ChartEquity } from "~/components/chart-equity";
import { FormError } from "~/components/forms";
import { MarketChart } from "~/components/market-chart";
import { MarketSourceBadge } from "~/components/market-source-badge";
import { PositionMismatches } from "~/components/position-mismatch";
import { LiveIndicator, useLiveEvents, type LiveEvent } from "~/components/subscription-live";
import { SubscriptionActions } from "~/components/subscription-status-actions";
import { SubscriptionSignals, SubscriptionTrades } from "~/components/subscription-tables";
import { formatMoney, formatTime, StatusBadge, SubscriptionStats } from "~/components/subscription-ui";
import { loadMarketChart } from "~/market-chart.server";
import { requireUserId, safeRedirect } from "~/session.server";
import { domainFieldError } from "~/services/domain-errors.server";
import { changeStatus } from "~/services/subscriptions.server";
import { statusActionOf } from "~/subscriptions.server";
import { outboxBounds } from "../../db/store/queries/event-replay";
import { listOrdersOfTrades } from "../../db/store/queries/orders";
import { listPositionMismatches } from "../../db/store/queries/position-checks";
import {
  getSubscriptionDetail,
  listClosedTradePnl,
  listSubscriptionSignals,
  listSubscriptionTrades,
} from "../../db/store/queries/subscriptions";
import { readForm } from "~/request-body.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.strategy.name} · My subscriptions · Candlecast` : "Subscription · Candlecast" },
];

const TRADES_SHOWN = 50;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const db = context.app.store.db;
  const id = params.id ?? "";
  // Read the stream position first: whatever happens after it is replayed to the page.
  const { latest } = await outboxBounds(db);
  const detail = await getSubscriptionDetail(db, userId, id);
  if (!detail) throw new Response("Subscription not found", { status: 404 });
  const [trades, closed, signals, chart, positionMismatches] = await Promise.all([
    listSubscriptionTrades(db, userId, id, TRADES_SHOWN * 2),
    listClosedTradePnl(db, userId, id),
    listSubscriptionSignals(db, userId, id, 20),
    loadMarketChart(context, request, detail.strategy, { userId, id }),
    listPositionMismatches(db, userId, [detail.broker.id]),
  ]);
  const s = detail.subscription;
  const shown = trades.filter((t) => t.status === "open" || t.status === "closed").slice(0, TRADES_SHOWN);
  const orders =
    detail.broker.kind === "exchange"
      ? await listOrdersOfTrades(
          db,
          userId,
          shown.map((t) => t.id),
        )
      : [];
  let equity = 0;
  const curve = [{ time: s.createdAt, value: 0 }];
  for (const t of closed) curve.push({ time: t.closedAt ?? s.createdAt, value: (equity += t.pnl ?? 0) });
  return json({
    since: latest ?? 0,
    subscription: {
      id: s.id,
      status: s.status,
      createdAt: s.createdAt,
      pinned: s.pinnedVersionId !== null,
      settings: {
        capital: s.capital,
        riskPerTrade: s.riskPerTrade,
        leverage: s.leverage,
        maxOpenPositions: s.maxOpenPositions,
        maxDailyLoss: s.maxDailyLoss,
        stopLossAtr: s.stopLossAtr,
        takeProfitAtr: s.takeProfitAtr,
      },
      totalPnl: s.totalPnl,
      tradesCount: s.tradesCount,
      wins: s.wins,
      losses: s.losses,
    },
    strategy: detail.strategy,
    version: detail.version?.version ?? null,
    broker: detail.broker,
    trades: shown.map((t) => ({ ...t, orders: orders.filter((o) => o.tradeId === t.id) })),
    openPositions: trades.filter((t) => t.status === "open").length,
    signals,
    positionMismatches,
    equity: curve,
    chart,
    // Its figures come from live executions: on the source the strategy's newest one read (else MARKET_DATA's).
    marketSource: chart?.source ?? context.app.config.marketData.source,
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const userId = await requireUserId(request, context);
  const id = params.id ?? "";
  const form = await readForm(request);
  const statusAction = statusActionOf(form.get("intent"));
  if (!statusAction) return json({ error: "Unknown action" }, { status: 400 });
  try {
    if (!(await changeStatus(context, userId, id, statusAction)))
      throw new Response("Subscription not found", { status: 404 });
  } catch (error) {
    const refused = domainFieldError(error);
    if (!refused) throw error;
    return json({ error: refused.message }, { status: 409 });
  }
  return redirect(safeRedirect(form.get("redirectTo"), `/subscriptions/${id}`));
}

const pct = (fraction: number) => `${+(fraction * 100).toPrecision(6)} %`;

export default function SubscriptionPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { subscription: sub, strategy } = data;
  const settings = sub.settings;
  const revalidator = useRevalidator();
  const [lastUpdate, setLastUpdate] = useState<number | null>(null);
  const live = useLiveEvents(data.since, (event: LiveEvent) => {
    const payload = event.payload as { subscriptionId?: string } | null;
    if (event.type === "resync" || payload?.subscriptionId === sub.id) {
      setLastUpdate(Date.now());
      revalidator.revalidate();
    }
  });

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/subscriptions" className="hover:text-slate-800 hover:underline">
          ← My subscriptions
        </Link>
      </nav>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="text-2xl font-semibold tracking-tight">{strategy.name}</h1>
            <StatusBadge status={sub.status} />
          </div>
          <p className="mt-1 text-sm text-slate-600">
            {strategy.symbols.join(", ")} · {strategy.resolution} candles · version {data.version ?? "—"}
            {sub.pinned ? " (pinned)" : " (follows the latest)"} · since {formatTime(sub.createdAt)}
          </p>
          <p className="mt-1 flex flex-wrap items-center gap-1.5 text-sm text-slate-500">
            Trades and P&L executed on <MarketSourceBadge source={data.marketSource} />
          </p>
        </div>
        <div className="flex flex-col items-end gap-2">
          <LiveIndicator state={live} />
          {lastUpdate ? (
            <span className="text-xs text-slate-500">
              Updated {new Date(lastUpdate).toLocaleTimeString()}
            </span>
          ) : null}
        </div>
      </header>

      {actionData && "error" in actionData ? <FormError error={actionData.error} /> : null}
      <SubscriptionActions
        id={sub.id}
        status={sub.status}
        strategyName={strategy.name}
        redirectTo={`/subscriptions/${sub.id}`}
      />

      <PositionMismatches mismatches={data.positionMismatches} />

      <SubscriptionStats s={{ ...sub, openPositions: data.openPositions }} />

      <MarketChart chart={data.chart} title="Market and your trades" />

      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <section
          aria-labelledby="equity-heading"
          className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
        >
          <h2 id="equity-heading" className="mb-3 text-base font-semibold">
            Equity (realised P&L)
          </h2>
          <ChartEquity points={data.equity} height={240} label="Cumulative realised P&L" />
        </section>
        <section
          aria-labelledby="settings-heading"
          className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
        >
          <h2 id="settings-heading" className="text-base font-semibold">
            Settings
          </h2>
          <dl className="mt-3 divide-y divide-slate-100 text-sm">
            {[
              ["Capital", formatMoney(settings.capital)],
              ["Risk per trade", pct(settings.riskPerTrade)],
              ["Leverage", `${settings.leverage}×`],
              ["Max open positions", String(settings.maxOpenPositions)],
              ["Max daily loss", pct(settings.maxDailyLoss)],
              ["Stop-loss (ATR ×)", `${settings.stopLossAtr}×`],
              ["Take-profit (ATR ×)", `${settings.takeProfitAtr}×`],
              ["Broker account", `${data.broker.name}${data.broker.kind === "paper" ? " (paper)" : ""}`],
            ].map(([label, value]) => (
              <div key={label} className="flex justify-between gap-3 py-1.5">
                <dt className="text-slate-500">{label}</dt>
                <dd className="text-right font-medium tabular-nums">{value}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>

      <SubscriptionTrades trades={data.trades} limit={TRADES_SHOWN} />
      <SubscriptionSignals signals={data.signals} />
    </div>
  );
}
