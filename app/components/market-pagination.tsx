// Previous / next links and the "Showing 13–24 of 10,000" line under the marketplace grid.
import { Link } from "@remix-run/react";
import { formatCount } from "./market-format";

const linkClass =
  "inline-flex h-9 items-center rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50";
const disabledClass =
  "inline-flex h-9 cursor-not-allowed items-center rounded-lg border border-slate-200 bg-slate-50 px-3 text-sm font-medium text-slate-400";

export function MarketPagination({
  page,
  pageCount,
  pageSize,
  total,
  hrefFor,
}: {
  page: number;
  pageCount: number;
  pageSize: number;
  total: number;
  hrefFor: (page: number) => string;
}) {
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav
      aria-label="Pagination"
      className="mt-8 flex flex-col items-center justify-between gap-3 sm:flex-row"
    >
      <p className="text-sm text-slate-600">
        Showing <span className="font-medium text-slate-900">{formatCount(first)}</span>–
        <span className="font-medium text-slate-900">{formatCount(last)}</span> of{" "}
        <span className="font-medium text-slate-900">{formatCount(total)}</span> · page {formatCount(page)} of{" "}
        {formatCount(pageCount)}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link to={hrefFor(page - 1)} rel="prev" className={linkClass}>
            ← Previous
          </Link>
        ) : (
          <span aria-disabled="true" className={disabledClass}>
            ← Previous
          </span>
        )}
        {page < pageCount ? (
          <Link to={hrefFor(page + 1)} rel="next" className={linkClass}>
            Next →
          </Link>
        ) : (
          <span aria-disabled="true" className={disabledClass}>
            Next →
          </span>
        )}
      </div>
    </nav>
  );
}
