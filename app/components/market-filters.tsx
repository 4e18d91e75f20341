// The marketplace search bar: a plain GET form (works without JavaScript) that submits on change once hydrated.
import { Form, Link, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useRef } from "react";

export const SORT_LABELS = {
  subscribers: "Most subscribers",
  return: "Best return",
  newest: "Newest",
} as const;
const RESOLUTIONS = ["1m", "5m", "15m", "1h", "4h", "1d"];

export interface MarketFilterValues {
  q?: string;
  symbol?: string;
  resolution?: string;
  tag?: string;
  sort: keyof typeof SORT_LABELS;
}

/** The marketplace URL for `values` with `changes` applied; empty values and page 1 are left out. */
export function marketHref(
  values: MarketFilterValues & { page?: number },
  changes: Partial<MarketFilterValues & { page: number }> = {},
) {
  const next: Record<string, string | number | undefined> = { ...values, page: undefined, ...changes };
  const params = new URLSearchParams();
  for (const key of ["q", "symbol", "resolution", "tag", "sort", "page"]) {
    const v = next[key];
    if (v === undefined || v === "" || (key === "sort" && v === "subscribers") || (key === "page" && v === 1))
      continue;
    params.set(key, String(v));
  }
  const qs = params.toString();
  return qs ? `/?${qs}` : "/";
}

const selectClass =
  "h-10 rounded-lg border border-slate-300 bg-white pl-3 pr-8 text-sm text-slate-900 shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/40";

export function MarketFilters({
  values,
  symbols,
  tags,
}: {
  values: MarketFilterValues;
  symbols: { value: string; count: number }[];
  tags: { value: string; count: number }[];
}) {
  const submit = useSubmit();
  const navigation = useNavigation();
  const form = useRef<HTMLFormElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const pending = navigation.state !== "idle" && navigation.location?.pathname === "/";

  // Back/forward, a tag chip or "clear filters" change the URL under the fields: follow it, except in
  // the field the visitor is typing in. (Uncontrolled fields keep focus across the navigation.)
  useEffect(() => {
    const fields = form.current?.elements;
    if (!fields) return;
    const set = (name: string, value: string) => {
      const field = fields.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
      if (field && document.activeElement !== field) field.value = value;
    };
    set("q", values.q ?? "");
    set("symbol", values.symbol ?? "");
    set("resolution", values.resolution ?? "");
    set("sort", values.sort);
  }, [values.q, values.symbol, values.resolution, values.sort]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const submitForm = (replace: boolean) => {
    if (!form.current) return;
    clearTimeout(timer.current);
    const data = new FormData(form.current);
    const params = new URLSearchParams();
    for (const [key, value] of data) {
      if (typeof value === "string" && value.trim() !== "" && !(key === "sort" && value === "subscribers"))
        params.set(key, value.trim());
    }
    submit(params, { method: "get", action: "/", replace, preventScrollReset: true });
  };

  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <Form
        ref={form}
        method="get"
        action="/"
        role="search"
        className="flex flex-col gap-3 lg:flex-row lg:items-end"
        onSubmit={(event) => {
          event.preventDefault();
          submitForm(false);
        }}
      >
        <div className="flex-1">
          <div className="flex items-center justify-between gap-2">
            <label htmlFor="market-q" className="block text-xs font-medium text-slate-600">
              Search strategies
            </label>
            <span aria-live="polite" className="flex items-center gap-1.5 text-xs text-brand-700">
              {pending ? (
                <>
                  <span
                    aria-hidden
                    className="h-3 w-3 animate-spin rounded-full border-2 border-brand-500 border-t-transparent"
                  />
                  Updating results…
                </>
              ) : null}
            </span>
          </div>
          <div className="relative mt-1">
            <svg
              aria-hidden
              viewBox="0 0 20 20"
              className="pointer-events-none absolute left-3 top-2.5 h-5 w-5 text-slate-400"
              fill="currentColor"
            >
              <path
                fillRule="evenodd"
                d="M9 3.5a5.5 5.5 0 1 0 3.4 9.8l3.65 3.65a.75.75 0 1 0 1.06-1.06l-3.65-3.65A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z"
                clipRule="evenodd"
              />
            </svg>
            <input
              ref={search}
              id="market-q"
              type="search"
              name="q"
              defaultValue={values.q ?? ""}
              placeholder="Name, description or tag"
              autoComplete="off"
              maxLength={80}
              className="h-10 w-full rounded-lg border border-slate-300 bg-white pl-10 pr-3 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/40"
              onChange={() => {
                clearTimeout(timer.current);
                timer.current = setTimeout(() => submitForm(true), 300);
              }}
            />
          </div>
        </div>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:flex">
          <div className="flex flex-col">
            <label htmlFor="market-symbol" className="text-xs font-medium text-slate-600">
              Symbol
            </label>
            <select
              id="market-symbol"
              name="symbol"
              defaultValue={values.symbol ?? ""}
              className={`mt-1 ${selectClass}`}
              onChange={() => submitForm(false)}
            >
              <option value="">All symbols</option>
              {symbols.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.value} ({s.count})
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col">
            <label htmlFor="market-resolution" className="text-xs font-medium text-slate-600">
              Resolution
            </label>
            <select
              id="market-resolution"
              name="resolution"
              defaultValue={values.resolution ?? ""}
              className={`mt-1 ${selectClass}`}
              onChange={() => submitForm(false)}
            >
              <option value="">Any</option>
              {RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div className="col-span-2 flex flex-col sm:col-span-1">
            <label htmlFor="market-sort" className="text-xs font-medium text-slate-600">
              Sort by
            </label>
            <select
              id="market-sort"
              name="sort"
              defaultValue={values.sort}
              className={`mt-1 ${selectClass}`}
              onChange={() => submitForm(false)}
            >
              {Object.entries(SORT_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        {values.tag ? <input type="hidden" name="tag" value={values.tag} /> : null}
        <button
          type="submit"
          className="h-10 rounded-lg bg-brand-600 px-4 text-sm font-medium text-white shadow-sm hover:bg-brand-700 focus-visible:ring-2 focus-visible:ring-brand-500"
        >
          Search
        </button>
      </Form>
      {tags.length > 0 ? (
        <div className="mt-4 flex flex-wrap items-center gap-2" aria-label="Filter by tag" role="group">
          <span className="text-xs font-medium text-slate-500">Tags</span>
          {tags.map((t) => {
            const active = values.tag === t.value;
            return (
              <Link
                key={t.value}
                to={marketHref(values, { tag: active ? undefined : t.value })}
                preventScrollReset
                aria-current={active ? "true" : undefined}
                className={
                  active
                    ? "rounded-full bg-brand-600 px-3 py-1 text-xs font-medium text-white ring-1 ring-brand-600"
                    : "rounded-full bg-white px-3 py-1 text-xs font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 hover:ring-slate-400"
                }
              >
                {t.value}
                {active ? <span aria-hidden> ×</span> : null}
              </Link>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
