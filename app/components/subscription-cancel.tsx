// "Cancel subscription": a confirmation dialog with JavaScript, a confirmation page without it.
import { Form, Link } from "@remix-run/react";
import { AlertDialog } from "radix-ui";
import { useState } from "react";
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
      <AlertDialog.Root open={open} onOpenChange={setOpen}>
        <AlertDialog.Portal>
          <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
          <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-6 shadow-xl focus:outline-none">
            <AlertDialog.Title className="text-lg font-semibold text-slate-900">
              Cancel this subscription?
            </AlertDialog.Title>
            <AlertDialog.Description asChild>
              <div className="mt-2 space-y-2 text-sm text-slate-600">
                <CancelConsequences strategyName={strategyName} />
              </div>
            </AlertDialog.Description>
            <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
              <AlertDialog.Cancel className={buttonClass("secondary")}>Keep subscription</AlertDialog.Cancel>
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
            </div>
          </AlertDialog.Content>
        </AlertDialog.Portal>
      </AlertDialog.Root>
    </>
  );
}

export function CancelConsequences({ strategyName }: { strategyName: string }) {
  return (
    <>
      <p>
        <strong className="font-medium text-slate-800">{strategyName}</strong> stops trading for you from the
        next candle close. Open positions are no longer managed by the strategy: close them at your broker if
        needed.
      </p>
      <p>Your trade history stays available. This cannot be undone; you can subscribe again later.</p>
    </>
  );
}
