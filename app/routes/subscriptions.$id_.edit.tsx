// /subscriptions/:id/edit: change the risk settings; they apply from the next candle close.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { buttonClass, FormError, SubmitButton } from "~/components/forms";
import { RiskFields, submittedRiskValues } from "~/components/subscription-risk-fields";
import { requireUserId } from "~/session.server";
import { formFieldErrors } from "~/services/domain-errors.server";
import { changeRiskSettings } from "~/services/subscriptions.server";
import { requireSubscriptionOwner } from "~/subscriptions.server";
import { parseInput } from "../../db/contracts/validation/fields";
import { riskSettingsSchema, riskSettingsToInput } from "../../db/contracts/validation/risk-settings";
import { readForm } from "~/request-body.server";

export const meta: MetaFunction = () => [{ title: "Edit settings · Candlecast" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const sub = await requireSubscriptionOwner(context, userId, params.id ?? "");
  if (sub.status === "cancelled") throw redirect(`/subscriptions/${sub.id}`);
  const { capital, riskPerTrade, leverage, maxOpenPositions, maxDailyLoss, stopLossAtr, takeProfitAtr } = sub;
  return json({
    id: sub.id,
    values: riskSettingsToInput({
      capital,
      riskPerTrade,
      leverage,
      maxOpenPositions,
      maxDailyLoss,
      stopLossAtr,
      takeProfitAtr,
    }),
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const userId = await requireUserId(request, context);
  const sub = await requireSubscriptionOwner(context, userId, params.id ?? "");
  const form = await readForm(request);
  const parsed = parseInput(riskSettingsSchema, form);
  if (!parsed.ok) return json({ errors: parsed.errors, values: submittedRiskValues(form) }, { status: 400 });
  try {
    const updated = await changeRiskSettings(context, userId, sub, parsed.data);
    if (!updated) throw new Response("Subscription not found", { status: 404 });
  } catch (error) {
    return json({ errors: formFieldErrors(error), values: submittedRiskValues(form) }, { status: 409 });
  }
  return redirect(`/subscriptions/${sub.id}`);
}

export default function EditSettings() {
  const { id, values } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  return (
    <div className="mx-auto max-w-3xl">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to={`/subscriptions/${id}`} className="hover:text-slate-800 hover:underline">
          ← Back to the subscription
        </Link>
      </nav>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Edit settings</h1>
      <p className="mt-1 rounded-md border border-brand-100 bg-brand-50 px-3 py-2 text-sm text-brand-900">
        New settings apply from the next candle close. Positions already open keep their size, stop-loss and
        take-profit.
      </p>
      <Form
        method="post"
        noValidate
        className="mt-6 space-y-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
      >
        {Object.keys(errors).length ? (
          <FormError error={errors.status ?? "Please correct the fields marked below."} />
        ) : null}
        <RiskFields values={result?.values ?? values} errors={errors} />
        <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-5">
          <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
          <Link to={`/subscriptions/${id}`} className={buttonClass("secondary")}>
            Discard changes
          </Link>
        </div>
      </Form>
    </div>
  );
}
