// A strategy's recent signals: one row per execution with its status, signal and fan-out.
import { formatCount, formatUtc } from "./market-format";

export interface MarketSignal {
  id: string;
  symbol: string;
  closeTime: number;
  status: string;
  signal: string | null;
  subscriberCount: number;
  tradesCreated: number;
}

const STATUS_TONE: Record<string, string> = {
  COMPLETED: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  FAILED: "bg-rose-50 text-rose-700 ring-rose-200",
  SKIPPED: "bg-amber-50 text-amber-800 ring-amber-200",
  RUNNING: "bg-brand-50 text-brand-700 ring-brand-100",
};
const SIGNAL_TONE: Record<string, string> = {
  BUY: "text-emerald-700",
  SELL: "text-rose-700",
  CLOSE: "text-slate-900",
  HOLD: "text-slate-500",
};

export function MarketSignals({ signals }: { signals: MarketSignal[] }) {
  if (signals.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-500">
        No signals yet: the strategy runs at each candle close once someone subscribes.
      </p>
    );
  }
  return (
    <div className="-mx-4 overflow-x-auto sm:mx-0">
      <table className="min-w-full text-left text-sm">
        <thead>
          <tr className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
            <th scope="col" className="py-2 pl-4 pr-3 font-medium sm:pl-0">
              Candle close
            </th>
            <th scope="col" className="hidden px-3 py-2 font-medium sm:table-cell">
              Market
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Signal
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Status
            </th>
            <th scope="col" className="hidden px-3 py-2 text-right font-medium sm:table-cell">
              Subscribers
            </th>
            <th scope="col" className="py-2 pl-3 pr-4 text-right font-medium sm:pr-0">
              Trades
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {signals.map((s) => (
            <tr key={s.id}>
              <td className="whitespace-nowrap py-2 pl-4 pr-3 tabular-nums text-slate-600 sm:pl-0">
                {formatUtc(s.closeTime)}
              </td>
              <td className="hidden whitespace-nowrap px-3 py-2 text-slate-700 sm:table-cell">{s.symbol}</td>
              <td className={`px-3 py-2 font-semibold ${SIGNAL_TONE[s.signal ?? ""] ?? "text-slate-400"}`}>
                {s.signal ?? "—"}
              </td>
              <td className="px-3 py-2">
                <span
                  className={`inline-flex rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_TONE[s.status] ?? STATUS_TONE.RUNNING}`}
                >
                  {s.status.toLowerCase()}
                </span>
              </td>
              <td className="hidden px-3 py-2 text-right tabular-nums text-slate-700 sm:table-cell">
                {formatCount(s.subscriberCount)}
              </td>
              <td className="py-2 pl-3 pr-4 text-right tabular-nums text-slate-700 sm:pr-0">
                {formatCount(s.tradesCreated)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
