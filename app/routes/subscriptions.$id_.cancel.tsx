// /subscriptions/:id/cancel: the confirmation page for browsers without JavaScript (with it, a dialog asks instead).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { buttonClass, SubmitButton } from "~/components/forms";
import { CancelConsequences } from "~/components/subscription-cancel";
import { requireUserId } from "~/session.server";
import { getSubscriptionDetail } from "../../db/store/queries/subscriptions";

export const meta: MetaFunction = () => [{ title: "Cancel subscription · Candlecast" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const detail = await getSubscriptionDetail(context.app.store.db, userId, params.id ?? "");
  if (!detail) throw new Response("Subscription not found", { status: 404 });
  return json({
    id: detail.subscription.id,
    status: detail.subscription.status,
    strategyName: detail.strategy.name,
  });
}

export default function ConfirmCancel() {
  const { id, status, strategyName } = useLoaderData<typeof loader>();
  return (
    <div className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-lg font-semibold">Cancel this subscription?</h1>
      {status === "cancelled" ? (
        <p className="mt-2 text-sm text-slate-600">This subscription is already cancelled.</p>
      ) : (
        <>
          <div className="mt-2 space-y-2 text-sm text-slate-600">
            <CancelConsequences strategyName={strategyName} />
          </div>
          <Form
            method="post"
            action={`/subscriptions/${id}`}
            className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end"
          >
            <Link to={`/subscriptions/${id}`} className={buttonClass("secondary")}>
              Keep subscription
            </Link>
            <input type="hidden" name="redirectTo" value={`/subscriptions/${id}`} />
            <SubmitButton variant="danger" name="intent" value="cancel" pendingLabel="Cancelling…">
              Yes, cancel subscription
            </SubmitButton>
          </Form>
        </>
      )}
    </div>
  );
}
