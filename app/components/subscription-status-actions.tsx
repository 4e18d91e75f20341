// Pause / Resume / Edit settings / Cancel subscription for one subscription (list and detail pages).
import { Form, Link } from "@remix-run/react";
import { buttonClass, SubmitButton } from "./forms";
import { CancelSubscription } from "./subscription-cancel";

export function SubscriptionActions({
  id,
  status,
  strategyName,
  redirectTo,
}: {
  id: string;
  status: string;
  strategyName: string;
  redirectTo: string;
}) {
  if (status === "cancelled") return null;
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Form method="post" action={`/subscriptions/${id}`}>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        {status === "active" ? (
          <SubmitButton
            key="pause"
            variant="secondary"
            size="sm"
            name="intent"
            value="pause"
            pendingLabel="Pausing…"
          >
            Pause
          </SubmitButton>
        ) : (
          <SubmitButton
            key="resume"
            variant="primary"
            size="sm"
            name="intent"
            value="resume"
            pendingLabel="Resuming…"
          >
            Resume
          </SubmitButton>
        )}
      </Form>
      <Link to={`/subscriptions/${id}/edit`} className={buttonClass("secondary", "sm")}>
        Edit settings
      </Link>
      <CancelSubscription id={id} strategyName={strategyName} redirectTo={redirectTo} />
    </div>
  );
}
