// "Close all positions" (the kill switch, ADR 148): a confirmation dialog with JavaScript, a confirmation
// page without it (`fallbackHref`); the form that queues it, and the status line after it.
import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { ConfirmDialog } from "./confirm-dialog";
import { buttonClass, SubmitButton } from "./forms";

export interface CloseAllCounts {
  openTrades: number;
  restingOrders: number;
  /** Active subscriptions it pauses. */
  toPause: number;
}

export interface CloseAllTargetProps {
  /** Where the form posts (intent=close-all). */
  action: string;
  fields?: Record<string, string>;
  kind: "paper" | "exchange";
  counts: CloseAllCounts;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const TRIGGER_CLASS = `${buttonClass("secondary", "sm")} text-rose-700`;

export function CloseAllPositions({
  fallbackHref,
  label = "Close all positions",
  ...target
}: CloseAllTargetProps & {
  /** The confirmation page for browsers without JavaScript. */
  fallbackHref: string;
  /** The trigger's accessible name (the account's name on the broker page). */
  label?: string;
}) {
  const [open, setOpen] = useState(false);
  const { counts } = target;
  if (counts.openTrades === 0 && counts.restingOrders === 0 && counts.toPause === 0)
    return (
      <button
        type="button"
        disabled
        title="No open positions, resting orders or active subscriptions"
        aria-label={label}
        className={`${TRIGGER_CLASS} cursor-not-allowed opacity-50`}
      >
        Close all positions
      </button>
    );
  return (
    <>
      <Link
        to={fallbackHref}
        onClick={(e) => {
          e.preventDefault();
          setOpen(true);
        }}
        aria-label={label}
        className={TRIGGER_CLASS}
      >
        Close all positions
      </Link>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Close all positions?"
        cancelLabel="Keep positions"
        confirm={<CloseAllForm {...target} onSubmit={() => setOpen(false)} />}
      >
        <CloseAllConsequences kind={target.kind} counts={counts} />
      </ConfirmDialog>
    </>
  );
}

/** The form that queues the close-all: the dialog's action, and the confirmation page's. */
export function CloseAllForm({
  action,
  fields,
  onSubmit,
}: Pick<CloseAllTargetProps, "action" | "fields"> & { onSubmit?: () => void }) {
  return (
    <Form method="post" action={action} onSubmit={onSubmit}>
      {Object.entries(fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton
        variant="danger"
        name="intent"
        value="close-all"
        className="w-full"
        pendingLabel="Closing…"
      >
        Yes, close all positions
      </SubmitButton>
    </Form>
  );
}

/** What a close-all will do, in plain words. */
export function CloseAllConsequences({ kind, counts }: Pick<CloseAllTargetProps, "kind" | "counts">) {
  return (
    <>
      <ul className="list-disc space-y-1 pl-5">
        <li>
          {plural(counts.openTrades, "open trade")} closed{" "}
          {kind === "exchange" ? "at market on the exchange" : "at the latest price (paper)"}.
        </li>
        {kind === "exchange" ? (
          <li>{plural(counts.restingOrders, "resting order")} (stop-loss, take-profit) cancelled.</li>
        ) : null}
        <li>
          {plural(counts.toPause, "subscription")} paused: no new trades until you resume
          {counts.toPause === 1 ? " it" : " them"}.
        </li>
      </ul>
      <p>This cannot be undone.</p>
    </>
  );
}

/** After a close-all was queued: what is happening now (the exits then appear live). */
export function CloseAllStatus({ queued }: { queued: { openTrades: number; subscriptionsPaused: number } }) {
  return (
    <p
      role="status"
      className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
    >
      Closing {plural(queued.openTrades, "open trade")}
      {queued.subscriptionsPaused > 0 ? `; ${plural(queued.subscriptionsPaused, "subscription")} paused` : ""}
      . The exits appear below as they are recorded.
    </p>
  );
}
