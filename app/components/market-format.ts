// Display formats shared by the marketplace and strategy pages: fixed locale and UTC, so server and browser render alike.
const integer = new Intl.NumberFormat("en-US");
const decimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const formatCount = (n: number) => integer.format(n);

/** +12.34 % / −3.10 %, or an em dash when unknown. */
export function formatSignedPct(pct: number | null | undefined) {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return "—";
  const sign = pct > 0 ? "+" : pct < 0 ? "−" : "";
  return `${sign}${decimal.format(Math.abs(pct))} %`;
}

/** A 0-1 ratio as a whole percentage. */
export function formatRatioPct(ratio: number | null | undefined) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${Math.round(ratio * 100)} %`;
}

export function formatDecimal(n: number | null | undefined) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return decimal.format(n);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** 2025-03-04 14:05 UTC */
export function formatUtc(ms: number | null | undefined) {
  if (!ms) return "—";
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** 2025-03-04 */
export const formatUtcDate = (ms: number | null | undefined) => (ms ? formatUtc(ms).slice(0, 10) : "—");

/** Tailwind text colour of a return: emerald up, rose down, slate flat. */
export function returnTone(pct: number | null | undefined) {
  if (!pct) return "text-slate-600";
  return pct > 0 ? "text-emerald-600" : "text-rose-600";
}
