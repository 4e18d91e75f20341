// /author/strategies: the signed-in author's strategies (drafts included) with their latest version and subscribers.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { VisibilityBadge } from "~/components/author-badges";
import { buttonClass } from "~/components/forms";
import { formatCount, formatSignedPct, formatUtc, returnTone } from "~/components/market-format";
import { MarketSourceBadge } from "~/components/market-source-badge";
import { requireUserId } from "~/session.server";
import { listAuthorStrategies } from "../../db/store/queries/author";

export const meta: MetaFunction = () => [{ title: "My strategies · Candlecast" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const page = await listAuthorStrategies(context.app.store.db, userId, { limit: 100 });
  // The live return column comes from this deployment's executions.
  return json({ strategies: page.items, marketSource: context.app.config.marketData.source });
}

export default function MyStrategies() {
  const { strategies, marketSource } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">My strategies</h1>
          <p className="mt-1 text-slate-600">
            Write, validate, version and backtest your strategies; read every execution.
          </p>
          <p className="mt-1 flex flex-wrap items-center gap-1.5 text-sm text-slate-500">
            Live returns computed on <MarketSourceBadge source={marketSource} />
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link to="/author/executions" className={buttonClass("secondary")}>
            Execution log
          </Link>
          <Link to="/settings/tokens" className={buttonClass("secondary")}>
            API tokens
          </Link>
          <Link to="/author/strategies/new" className={buttonClass("primary")}>
            New strategy
          </Link>
        </div>
      </div>
      {strategies.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
          <p className="font-medium text-slate-900">No strategies yet</p>
          <p className="mt-1 text-sm text-slate-600">
            Start with a name, a market and a few lines of Python.
          </p>
          <Link to="/author/strategies/new" className={`${buttonClass("primary")} mt-4`}>
            New strategy
          </Link>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Strategy
                </th>
                <th scope="col" className="px-4 py-3">
                  Visibility
                </th>
                <th scope="col" className="px-4 py-3">
                  Latest version
                </th>
                <th scope="col" className="px-4 py-3">
                  Markets
                </th>
                <th scope="col" className="px-4 py-3 text-right">
                  Subscribers
                </th>
                <th scope="col" className="px-4 py-3 text-right">
                  Live return
                </th>
                <th scope="col" className="px-4 py-3">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {strategies.map((s) => (
                <tr key={s.id} className="hover:bg-slate-50">
                  <td className="px-4 py-3">
                    <Link
                      to={`/author/strategies/${s.id}`}
                      className="font-medium text-brand-700 hover:underline"
                    >
                      {s.name}
                    </Link>
                    <p className="text-xs text-slate-500">/{s.slug}</p>
                  </td>
                  <td className="px-4 py-3">
                    <VisibilityBadge visibility={s.visibility} />
                  </td>
                  <td className="px-4 py-3 font-mono text-xs">
                    {s.latestVersion ?? <span className="text-slate-400">none yet</span>}
                  </td>
                  <td className="px-4 py-3 text-slate-600">
                    {s.symbols.join(", ") || "—"}{" "}
                    {s.resolution ? <span className="text-slate-400">· {s.resolution}</span> : null}
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">{formatCount(s.subscriberCount)}</td>
                  <td className={`px-4 py-3 text-right tabular-nums ${returnTone(s.returnPct)}`}>
                    {s.tradesCount ? formatSignedPct(s.returnPct) : "—"}
                  </td>
                  <td className="px-4 py-3 text-slate-500">{formatUtc(s.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
