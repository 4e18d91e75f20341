// /subscriptions: the signed-in user's subscriptions with status, P&L and open positions, live; newest first, cursor pages.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { buttonClass } from "~/components/forms";
import { MarketSourceBadge } from "~/components/market-source-badge";
import { LiveIndicator, useLiveEvents } from "~/components/subscription-live";
import { SubscriptionActions } from "~/components/subscription-status-actions";
import { StatusBadge, SubscriptionStats } from "~/components/subscription-ui";
import { DEFAULT_PAGE_SIZE, encodeCursor, pageQuerySchema } from "~/page-cursor.server";
import { requireUserId } from "~/session.server";
import { outboxBounds } from "../../db/store/queries/event-replay";
import { listSubscriptions } from "../../db/store/queries/subscriptions";

export const meta: MetaFunction = () => [{ title: "My subscriptions · Candlecast" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  // A stale or hand-edited cursor shows the first page rather than an error.
  const query = pageQuerySchema.safeParse({
    cursor: new URL(request.url).searchParams.get("cursor") ?? undefined,
    limit: DEFAULT_PAGE_SIZE,
  });
  const after = query.success ? query.data.cursor : null;
  // Read the stream position first: whatever happens after it is replayed to the page.
  const { latest } = await outboxBounds(context.app.store.db);
  const page = await listSubscriptions(context.app.store.db, userId, { after, limit: DEFAULT_PAGE_SIZE });
  return json({
    // Every subscription's P&L comes from this deployment's live executions.
    marketSource: context.app.config.marketData.source,
    since: latest ?? 0,
    next: page.next ? encodeCursor(page.next) : null,
    paged: Boolean(after),
    subscriptions: page.items.map(({ subscription: s, strategy, openPositions }) => ({
      id: s.id,
      status: s.status,
      capital: s.capital,
      totalPnl: s.totalPnl,
      tradesCount: s.tradesCount,
      wins: s.wins,
      losses: s.losses,
      openPositions: Number(openPositions),
      createdAt: s.createdAt,
      strategy,
    })),
  });
}

export default function MySubscriptions() {
  const { subscriptions, since, next, paged, marketSource } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const live = useLiveEvents(since, () => revalidator.revalidate());
  const current = subscriptions.filter((s) => s.status !== "cancelled");
  const cancelled = subscriptions.filter((s) => s.status === "cancelled");

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">My subscriptions</h1>
          <p className="mt-1 text-slate-600">Every strategy you follow, with its results in your settings.</p>
          <p className="mt-1 flex flex-wrap items-center gap-1.5 text-sm text-slate-500">
            Trades and P&L executed on <MarketSourceBadge source={marketSource} />
          </p>
        </div>
        <LiveIndicator state={live} />
      </div>

      {subscriptions.length === 0 && !paged ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
          <h2 className="text-lg font-medium text-slate-900">No subscriptions yet</h2>
          <p className="mx-auto mt-1 max-w-md text-slate-600">
            Pick a strategy in the marketplace, set your risk, and it trades for you at every candle close.
          </p>
          <Link to="/" className={`${buttonClass("primary")} mt-5`}>
            Browse the marketplace
          </Link>
        </div>
      ) : (
        <ul className="space-y-3">
          {[...current, ...cancelled].map((s) => (
            <li
              key={s.id}
              className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5 ${s.status === "cancelled" ? "opacity-75" : ""}`}
            >
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <div className="flex flex-wrap items-center gap-2">
                    <Link
                      to={`/subscriptions/${s.id}`}
                      className="truncate text-base font-semibold text-slate-900 hover:text-brand-600"
                    >
                      {s.strategy.name}
                    </Link>
                    <StatusBadge status={s.status} />
                  </div>
                  <p className="mt-0.5 text-sm text-slate-500">
                    {s.strategy.symbols.join(", ")} · {s.strategy.resolution} ·{" "}
                    {s.capital.toLocaleString("en-US")} USDT capital
                  </p>
                </div>
                <SubscriptionActions
                  id={s.id}
                  status={s.status}
                  strategyName={s.strategy.name}
                  redirectTo="/subscriptions"
                />
              </div>
              <SubscriptionStats s={s} className="mt-4" />
            </li>
          ))}
        </ul>
      )}
      <nav aria-label="Pages" className="flex gap-3">
        {paged ? (
          <Link to="/subscriptions" className={buttonClass("secondary", "sm")}>
            Newest
          </Link>
        ) : null}
        {next ? (
          <Link to={`?${new URLSearchParams({ cursor: next })}`} className={buttonClass("secondary", "sm")}>
            Older
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
