// The marketplace: public strategies with search, filters, sort and pages, all in the URL.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useNavigation } from "@remix-run/react";
import { MarketCard } from "~/components/market-card";
import { MarketFilters, marketHref } from "~/components/market-filters";
import { formatCount } from "~/components/market-format";
import { MarketPagination } from "~/components/market-pagination";
import { MarketSourceBadge } from "~/components/market-source-badge";
import { loadMarketplace } from "~/marketplace.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.query.q ? `“${data.query.q}” — Candlecast marketplace` : "Marketplace — Candlecast" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { store, infra } = context.app;
  const marketSource = context.app.config.marketData.source;
  const data = await loadMarketplace(
    { db: store.db, cache: infra.cache },
    new URL(request.url),
    marketSource,
  );
  return json({ ...data, marketSource });
}

export default function Marketplace() {
  const data = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/";
  const { query, filtered, items, total, page, pageCount, pageSize, facets, marketSource } = data;
  const values = {
    q: query.q,
    symbol: query.symbol,
    resolution: query.resolution,
    tag: query.tag,
    sort: query.sort,
  };

  return (
    <section>
      <div className="flex flex-col gap-1 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">Marketplace</h1>
          <p className="mt-1 text-slate-600">
            Python strategies that run once per candle and trade for every subscriber, with their own risk
            settings.
          </p>
          <p className="mt-2 flex flex-wrap items-center gap-1.5 text-sm text-slate-500">
            Live figures on this deployment come from <MarketSourceBadge source={marketSource} />
          </p>
        </div>
        {total > 0 ? (
          <p className="text-sm text-slate-500">
            {formatCount(total)} {total === 1 ? "strategy" : "strategies"}
            {filtered ? " match" : ""}
          </p>
        ) : null}
      </div>

      <div className="mt-6">
        <MarketFilters values={values} symbols={facets.symbols} tags={facets.tags} />
      </div>

      <div aria-busy={loading} className={`mt-6 transition-opacity ${loading ? "opacity-60" : ""}`}>
        {items.length === 0 ? (
          filtered ? (
            <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-16 text-center">
              <h2 className="text-lg font-semibold text-slate-900">No strategies match</h2>
              <p className="mt-1 text-sm text-slate-600">Try other words, or fewer filters.</p>
              <Link
                to="/"
                className="mt-5 inline-flex h-10 items-center rounded-lg bg-brand-600 px-4 text-sm font-medium text-white shadow-sm hover:bg-brand-700"
              >
                Clear filters
              </Link>
            </div>
          ) : (
            <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-16 text-center">
              <h2 className="text-lg font-semibold text-slate-900">No strategies published yet</h2>
              <p className="mt-1 text-sm text-slate-600">
                When authors publish strategies, they appear here.
              </p>
            </div>
          )
        ) : (
          <>
            <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {items.map((s) => (
                <li key={s.id}>
                  <MarketCard strategy={s} />
                </li>
              ))}
            </ul>
            <MarketPagination
              page={page}
              pageCount={pageCount}
              pageSize={pageSize}
              total={total}
              hrefFor={(p) => marketHref(values, { page: p })}
            />
          </>
        )}
      </div>
    </section>
  );
}
