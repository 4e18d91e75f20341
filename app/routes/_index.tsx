import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listPublicStrategies } from "~/strategies.server";

export async function loader({ context }: LoaderFunctionArgs) {
  return json({ strategies: await listPublicStrategies(context.app.store.db) });
}

export default function Marketplace() {
  const { strategies } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1 className="text-2xl font-semibold">Marketplace</h1>
      <p className="mt-1 text-slate-600">Strategies that run once per candle and trade for every subscriber.</p>
      {strategies.length === 0 ? (
        <p className="mt-8 rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-500">
          No strategies published yet.
        </p>
      ) : (
        <ul className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {strategies.map((s) => (
            <li key={s.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
              <Link to={`/strategies/${s.slug}`} className="font-medium text-slate-900 hover:text-brand-600">
                {s.name}
              </Link>
              <p className="mt-1 line-clamp-2 text-sm text-slate-600">{s.description}</p>
              <p className="mt-3 text-xs text-slate-500">
                {s.symbols.join(", ")} · {s.resolution} · {s.subscriberCount} subscribers
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
