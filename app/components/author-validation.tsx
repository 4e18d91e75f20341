// The outcome of validating a strategy: its signal on sample candles, or the typed error with its traceback and logs.
import { Spinner } from "./forms";
import type { ValidationView } from "~/services/validation-view";

const ACTION_TONE: Record<string, string> = {
  BUY: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  SELL: "bg-rose-50 text-rose-700 ring-rose-200",
  CLOSE: "bg-amber-50 text-amber-800 ring-amber-200",
  HOLD: "bg-slate-100 text-slate-700 ring-slate-200",
};

const KIND_LABEL: Record<string, string> = {
  syntax: "Syntax error",
  import: "Import error",
  timeout: "Time limit exceeded",
  memory: "Memory limit exceeded",
  sandbox: "Sandbox violation",
  bad_signal: "Bad signal",
  runtime: "Runtime error",
  output_limit: "Output limit exceeded",
  internal: "Internal error",
};

function Logs({ lines }: { lines: string[] }) {
  if (lines.length === 0) return <p className="text-sm text-slate-500">The strategy logged nothing.</p>;
  return (
    <pre className="max-h-60 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100">
      {lines.join("\n")}
    </pre>
  );
}

export function ValidationPanel({
  view,
  declaredLookback,
}: {
  view: ValidationView | null;
  declaredLookback?: number;
}) {
  if (!view) return null;
  return (
    <section
      aria-label="Validation result"
      aria-live="polite"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      {view.status === "pending" ? (
        <p className="flex items-center gap-2 text-sm text-slate-600">
          <Spinner /> Validating on a worker…
        </p>
      ) : view.status === "unavailable" ? (
        <p role="alert" className="text-sm text-amber-800">
          {view.message}
        </p>
      ) : view.result.ok ? (
        <div className="space-y-3">
          <div className="flex flex-wrap items-center gap-3">
            <span className="text-sm font-semibold text-emerald-700">Validation passed</span>
            <span
              className={`rounded-full px-2.5 py-0.5 text-sm font-semibold ring-1 ring-inset ${ACTION_TONE[view.result.signal.action]}`}
            >
              Signal: {view.result.signal.action}
            </span>
            <span className="text-sm text-slate-600">
              confidence {view.result.signal.confidence.toFixed(2)}
            </span>
            <span className="text-xs text-slate-500">{view.result.ms.toFixed(0)} ms</span>
          </div>
          {view.result.signal.reason ? (
            <p className="text-sm text-slate-700">“{view.result.signal.reason}”</p>
          ) : null}
          <p className="text-sm text-slate-600">
            Over {view.result.candles} sample candles it said{" "}
            {Object.entries(view.result.actions)
              .filter(([, n]) => n > 0)
              .map(([action, n]) => `${action} ${n}×`)
              .join(", ")}
            .
          </p>
          {view.result.lookback !== null &&
          declaredLookback !== undefined &&
          view.result.lookback > declaredLookback ? (
            <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
              The code declares lookback = {view.result.lookback}, more than the {declaredLookback} candles
              the version asks for: live runs would only ever see the warm-up.
            </p>
          ) : null}
          <div>
            <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
              Strategy log
            </h3>
            <Logs lines={view.result.logs} />
          </div>
        </div>
      ) : (
        <div className="space-y-3">
          <p className="flex flex-wrap items-center gap-2">
            <span className="rounded-full bg-rose-50 px-2.5 py-0.5 text-sm font-semibold text-rose-700 ring-1 ring-inset ring-rose-200">
              {KIND_LABEL[view.result.error.kind] ?? view.result.error.kind}
            </span>
            <span className="text-sm text-rose-800">{view.result.error.message}</span>
          </p>
          {view.result.error.traceback ? (
            <div>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Traceback</h3>
              <pre className="max-h-72 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-rose-100">
                {view.result.error.traceback}
              </pre>
            </div>
          ) : null}
          <div>
            <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
              Strategy log
            </h3>
            <Logs lines={view.result.error.logs} />
          </div>
        </div>
      )}
    </section>
  );
}
