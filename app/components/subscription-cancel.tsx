// "Cancel subscription": a confirmation dialog with JavaScript, a confirmation page without it.
import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { ConfirmDialog } from "./confirm-dialog";
import { buttonClass, SubmitButton } from "./forms";

export function CancelSubscription({
  id,
  strategyName,
  redirectTo,
}: {
  id: string;
  strategyName: string;
  redirectTo: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Link
        to={`/subscriptions/${id}/cancel`}
        onClick={(e) => {
          e.preventDefault();
          setOpen(true);
        }}
        className={`${buttonClass("secondary", "sm")} text-rose-700`}
      >
        Cancel subscription
      </Link>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Cancel this subscription?"
        cancelLabel="Keep subscription"
        confirm={
          <Form method="post" action={`/subscriptions/${id}`} onSubmit={() => setOpen(false)}>
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <SubmitButton
              variant="danger"
              name="intent"
              value="cancel"
              className="w-full"
              pendingLabel="Cancelling…"
            >
              Yes, cancel subscription
            </SubmitButton>
          </Form>
        }
      >
        <CancelConsequences strategyName={strategyName} />
      </ConfirmDialog>
    </>
  );
}

export function CancelConsequences({ strategyName }: { strategyName: string }) {
  return (
    <>
      <p>
        <strong className="font-medium text-slate-800">{strategyName}</strong> stops trading for you from the
        next candle close. Open positions are no longer managed by the strategy: close them first with "Close
        all positions", or at your broker if needed.
      </p>
      <p>Your trade history stays available. This cannot be undone; you can subscribe again later.</p>
    </>
  );
}
