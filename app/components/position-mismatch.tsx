// The positions check's warning (ADR 147): an exchange account holds another quantity than its open trades say.
import { formatTime } from "./subscription-ui";

export interface PositionMismatchView {
  brokerAccountId: string;
  accountName: string;
  asset: string;
  baseline: number;
  expected: number;
  found: number;
  checkedAt: number;
}

/** Up to the exchange's 8 decimals, without trailing zeros. */
const quantity = (n: number) => String(+n.toFixed(8));

/** The warning in plain words; the baseline is named when the account held some of the asset beside the trades. */
export function mismatchSentence(m: PositionMismatchView): string {
  const beside =
    m.baseline !== 0
      ? ` (with the ${quantity(m.baseline)} ${m.asset} the account held beside them at its first check)`
      : "";
  return (
    `The exchange holds ${quantity(m.found)} ${m.asset}; your open trades say ${quantity(m.expected)} ${m.asset}${beside}. ` +
    "Candlecast changes nothing: check the account."
  );
}

/** Nothing when every check matched; otherwise one line per (account, asset), newest check time shown. */
export function PositionMismatches({
  mismatches,
  showAccount = false,
}: {
  mismatches: PositionMismatchView[];
  showAccount?: boolean;
}) {
  if (mismatches.length === 0) return null;
  return (
    <section
      role="alert"
      aria-labelledby="position-mismatch-heading"
      className="rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 shadow-sm"
    >
      <h2 id="position-mismatch-heading" className="font-semibold">
        The exchange and your open trades disagree
      </h2>
      <ul className="mt-2 space-y-1.5">
        {mismatches.map((m) => (
          <li key={`${m.brokerAccountId}:${m.asset}`}>
            {showAccount ? <span className="font-medium">{m.accountName}: </span> : null}
            {mismatchSentence(m)} <span className="text-amber-700">Checked {formatTime(m.checkedAt)}.</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
