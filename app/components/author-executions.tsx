// The author's execution log rows: when, which version and market, status and signal, subscribers, trades, timings, log or error.
import { formatTime } from "./subscription-ui";

export interface ExecutionRow {
  id: string;
  strategyName: string;
  strategySlug: string;
  version: string | null;
  symbol: string;
  resolution: string;
  closeTime: number;
  status: string;
  signal: string | null;
  reason: string | null;
  subscriberCount: number;
  tradesCreated: number;
  errorKind: string | null;
  errorMessage: string | null;
  log: string | null;
  startedAt: number;
  finishedAt: number | null;
  runMs: number | null;
  fanoutMs: number | null;
}

const STATUS_TONE: Record<string, string> = {
  COMPLETED: "text-emerald-700",
  FAILED: "text-rose-700",
  SKIPPED: "text-amber-700",
  RUNNING: "text-brand-700",
};

const ms = (v: number | null) => (v === null ? "—" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

export function ExecutionRows({
  executions,
  showStrategy = true,
}: {
  executions: ExecutionRow[];
  showStrategy?: boolean;
}) {
  if (executions.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        No executions yet: they appear once someone follows a published version and a candle closes.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-3">
              Candle close
            </th>
            <th scope="col" className="py-2 pr-3">
              {showStrategy ? "Strategy" : "Version"}
            </th>
            <th scope="col" className="py-2 pr-3">
              Market
            </th>
            <th scope="col" className="py-2 pr-3">
              Status
            </th>
            <th scope="col" className="py-2 pr-3">
              Signal
            </th>
            <th scope="col" className="py-2 pr-3 text-right">
              Subscribers
            </th>
            <th scope="col" className="py-2 pr-3 text-right">
              Trades
            </th>
            <th
              scope="col"
              className="py-2 pr-3 text-right"
              title="Strategy run · fan-out to the subscribers"
            >
              Timings
            </th>
            <th scope="col" className="py-2">
              Log
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {executions.map((e) => (
            <tr key={e.id}>
              <td className="whitespace-nowrap py-2 pr-3 tabular-nums text-slate-700">
                {formatTime(e.closeTime)}
              </td>
              <td className="py-2 pr-3">
                {showStrategy ? <span className="block whitespace-nowrap">{e.strategyName}</span> : null}
                <span className="font-mono text-xs text-slate-500">{e.version ? `v${e.version}` : "—"}</span>
              </td>
              <td className="whitespace-nowrap py-2 pr-3 text-slate-600">
                {e.symbol} · {e.resolution}
              </td>
              <td className={`py-2 pr-3 font-medium ${STATUS_TONE[e.status] ?? ""}`}>{e.status}</td>
              <td className="py-2 pr-3" title={e.reason ?? undefined}>
                {e.signal ?? "—"}
              </td>
              <td className="py-2 pr-3 text-right tabular-nums">{e.subscriberCount}</td>
              <td className="py-2 pr-3 text-right tabular-nums">{e.tradesCreated}</td>
              <td className="whitespace-nowrap py-2 pr-3 text-right tabular-nums">
                {ms(e.runMs)}
                <span className="block text-xs text-slate-500">{ms(e.fanoutMs)} fan-out</span>
              </td>
              <td className="min-w-[12rem] py-2">
                {e.errorMessage || e.log ? (
                  <details>
                    <summary className="cursor-pointer text-brand-700">
                      {e.errorKind ? `${e.errorKind} error` : "Log"}
                    </summary>
                    {e.errorMessage ? <p className="mt-1 max-w-xl text-rose-700">{e.errorMessage}</p> : null}
                    {e.log ? (
                      <pre className="mt-1 max-h-60 max-w-xl overflow-auto whitespace-pre-wrap break-words rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">
                        {e.log}
                      </pre>
                    ) : null}
                  </details>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
