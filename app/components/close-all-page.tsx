// The close-all confirmation page for browsers without JavaScript (with it, a dialog asks instead).
import { Link } from "@remix-run/react";
import { buttonClass } from "./forms";
import { CloseAllConsequences, CloseAllForm, type CloseAllTargetProps } from "./close-all-positions";

export function CloseAllPage({
  what,
  backHref,
  ...target
}: CloseAllTargetProps & { what: string; backHref: string }) {
  return (
    <div className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-lg font-semibold">Close all positions of {what}?</h1>
      <div className="mt-2 space-y-2 text-sm text-slate-600">
        <CloseAllConsequences kind={target.kind} counts={target.counts} />
      </div>
      <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Link to={backHref} className={buttonClass("secondary")}>
          Keep positions
        </Link>
        <CloseAllForm action={target.action} fields={target.fields} />
      </div>
    </div>
  );
}
