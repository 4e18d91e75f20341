// Badges of the author pages: a strategy's visibility and a version's status.
const BADGE = "rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

export function VisibilityBadge({ visibility }: { visibility: string }) {
  return visibility === "public" ? (
    <span className={`${BADGE} bg-emerald-50 text-emerald-700 ring-emerald-600/20`}>Public</span>
  ) : (
    <span className={`${BADGE} bg-slate-100 text-slate-600 ring-slate-500/20`}>Draft</span>
  );
}

export function VersionStatusBadge({ status, latest }: { status: string; latest: boolean }) {
  if (latest) return <span className={`${BADGE} bg-brand-50 text-brand-700 ring-brand-600/20`}>Latest</span>;
  if (status === "deprecated")
    return <span className={`${BADGE} bg-amber-50 text-amber-800 ring-amber-600/20`}>Deprecated</span>;
  return <span className={`${BADGE} bg-slate-100 text-slate-600 ring-slate-500/20`}>Published</span>;
}
