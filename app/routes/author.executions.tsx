// /author/executions: the execution log of the author's strategies (one strategy with ?strategy=), newest first, cursor pages.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ExecutionRows } from "~/components/author-executions";
import { buttonClass } from "~/components/forms";
import { encodeCursor, pageQuerySchema } from "~/page-cursor.server";
import { requireUserId } from "~/session.server";
import { listAuthorExecutions, listAuthorStrategies } from "../../db/store/queries/author";

export const meta: MetaFunction = () => [{ title: "Execution log · Candlecast" }];

const PAGE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const url = new URL(request.url);
  const db = context.app.store.db;
  // A stale or hand-edited cursor shows the first page rather than an error.
  const query = pageQuerySchema.safeParse({
    cursor: url.searchParams.get("cursor") ?? undefined,
    limit: PAGE,
  });
  const after = query.success ? query.data.cursor : null;
  const strategies = (await listAuthorStrategies(db, userId, { limit: 100 })).items.map((s) => ({
    id: s.id,
    name: s.name,
  }));
  const strategyId = strategies.some((s) => s.id === url.searchParams.get("strategy"))
    ? url.searchParams.get("strategy")!
    : undefined;
  const page = await listAuthorExecutions(db, userId, { after, limit: PAGE }, strategyId);
  return json({
    strategies,
    strategyId: strategyId ?? "",
    executions: page.items,
    next: page.next ? encodeCursor(page.next) : null,
    paged: Boolean(after),
  });
}

export default function ExecutionLog() {
  const { strategies, strategyId, executions, next, paged } = useLoaderData<typeof loader>();
  const withStrategy = (extra: string) =>
    `?${new URLSearchParams({ ...(strategyId ? { strategy: strategyId } : {}), ...(extra ? { cursor: extra } : {}) })}`;
  return (
    <div className="space-y-6">
      <div>
        <Link to="/author/strategies" className="text-sm text-brand-700 hover:underline">
          ← My strategies
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">Execution log</h1>
        <p className="mt-1 text-slate-600">
          Each run of your strategies: when, what it said, for how many subscribers, and its own log lines.
        </p>
      </div>
      <Form method="get" className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="strategy" className="block text-sm font-medium text-slate-800">
            Strategy
          </label>
          <select
            id="strategy"
            name="strategy"
            defaultValue={strategyId}
            className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
          >
            <option value="">All my strategies</option>
            {strategies.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass("secondary")}>
          Show
        </button>
      </Form>
      <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <ExecutionRows executions={executions} />
      </div>
      <nav aria-label="Pages" className="flex gap-3">
        {paged ? (
          <Link to={withStrategy("")} className={buttonClass("secondary", "sm")}>
            Newest
          </Link>
        ) : null}
        {next ? (
          <Link to={withStrategy(next)} className={buttonClass("secondary", "sm")}>
            Older
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
