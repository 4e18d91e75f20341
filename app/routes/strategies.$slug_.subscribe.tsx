// /strategies/:slug/subscribe: the subscribe form (risk settings, broker account, optional version pin).
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SelectField, SubmitButton } from "~/components/forms";
import { RiskFields, submittedRiskValues } from "~/components/subscription-risk-fields";
import { requireUserId } from "~/session.server";
import { formFieldErrors } from "~/services/domain-errors.server";
import { subscribe } from "~/services/subscriptions.server";
import { listBrokerAccounts } from "../../db/store/queries/broker-accounts";
import { getPublicStrategy, listStrategyVersions } from "../../db/store/queries/strategies";
import { sendsExchangeOrders } from "../../db/contracts/domain";
import { parseInput } from "../../db/contracts/validation/fields";
import { RISK_DEFAULTS_INPUT, subscribeSchema } from "../../db/contracts/validation/risk-settings";
import { readForm } from "~/request-body.server";
import { echoedText } from "~/form-echo";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Subscribe to ${data.strategy.name} · Candlecast` : "Subscribe · Candlecast" },
];

async function requireSubscribableStrategy(context: AppLoadContext, slug: string | undefined) {
  const strategy = slug ? await getPublicStrategy(context.app.store.db, slug) : undefined;
  if (!strategy || !strategy.latestVersionId) throw new Response("Strategy not found", { status: 404 });
  return strategy;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const strategy = await requireSubscribableStrategy(context, params.slug);
  const [versions, accounts] = await Promise.all([
    listStrategyVersions(context.app.store.db, strategy.id),
    listBrokerAccounts(context.app.store.db, userId),
  ]);
  return json({
    strategy: {
      name: strategy.name,
      slug: strategy.slug,
      description: strategy.description,
      resolution: strategy.resolution,
      symbols: strategy.symbols,
      subscriberCount: strategy.subscriberCount,
    },
    versions: versions.filter((v) => v.status === "published").map((v) => ({ id: v.id, version: v.version })),
    exchangeOrders: sendsExchangeOrders(context.app.config.marketData.source),
    accounts: accounts.map((a) => ({
      id: a.id,
      name: a.name,
      kind: a.kind,
      exchange: a.exchange,
      testnet: a.testnet,
    })),
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const userId = await requireUserId(request, context);
  const strategy = await requireSubscribableStrategy(context, params.slug);
  const form = await readForm(request);
  const parsed = parseInput(subscribeSchema, form);
  const values = {
    ...submittedRiskValues(form),
    brokerAccountId: echoedText(form, "brokerAccountId"),
    pinnedVersionId: echoedText(form, "pinnedVersionId"),
  };
  if (!parsed.ok) return json({ errors: parsed.errors, values }, { status: 400 });
  try {
    const { id } = await subscribe(context, userId, strategy.id, parsed.data);
    return redirect(`/subscriptions/${id}`);
  } catch (error) {
    return json({ errors: formFieldErrors(error), values }, { status: 400 });
  }
}

export default function Subscribe() {
  const { strategy, versions, accounts, exchangeOrders } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const values = result?.values ?? {
    ...RISK_DEFAULTS_INPUT,
    brokerAccountId: (accounts.find((a) => exchangeOrders || a.kind === "paper") ?? accounts[0])?.id ?? "",
    pinnedVersionId: "",
  };
  const errorCount = Object.keys(errors).length;

  return (
    <div className="mx-auto max-w-4xl">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to={`/strategies/${strategy.slug}`} className="hover:text-slate-800 hover:underline">
          ← {strategy.name}
        </Link>
      </nav>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Subscribe to {strategy.name}</h1>
      <p className="mt-1 text-slate-600">
        The strategy runs once per {strategy.resolution} candle close on {strategy.symbols.join(", ")}; each
        signal is sized with your settings below and sent to your broker account.
      </p>

      <Form method="post" noValidate className="mt-6 grid gap-6 lg:grid-cols-[1fr_18rem]">
        <div className="space-y-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
          {errorCount > 0 ? (
            <FormError
              error={
                errors._form ??
                errors.strategyId ??
                `Please correct the ${errorCount === 1 ? "field" : `${errorCount} fields`} marked below.`
              }
            />
          ) : null}
          <section aria-labelledby="risk-heading">
            <h2 id="risk-heading" className="text-base font-semibold text-slate-900">
              Risk settings
            </h2>
            <p className="mb-4 text-sm text-slate-500">
              You can change these later; new settings apply from the next candle close.
            </p>
            <RiskFields values={values} errors={errors} />
          </section>
          <section
            aria-labelledby="execution-heading"
            className="grid gap-5 border-t border-slate-100 pt-6 sm:grid-cols-2"
          >
            <h2 id="execution-heading" className="sr-only">
              Execution
            </h2>
            <SelectField
              name="brokerAccountId"
              label="Broker account"
              defaultValue={values.brokerAccountId}
              error={errors.brokerAccountId}
              help={
                <>
                  Where orders go.
                  {exchangeOrders
                    ? null
                    : " This deployment runs on the simulated market, so only paper accounts trade."}{" "}
                  <Link to="/settings/brokers" className="text-brand-600 hover:underline">
                    Manage accounts
                  </Link>
                </>
              }
              options={accounts.map((a) => ({
                value: a.id,
                label:
                  a.kind === "paper"
                    ? `${a.name} (paper)`
                    : `${a.name} (${a.exchange}${a.testnet ? ", testnet" : ""})${exchangeOrders ? "" : " — not on the simulated market"}`,
              }))}
            />
            <SelectField
              name="pinnedVersionId"
              label="Version"
              defaultValue={values.pinnedVersionId}
              error={errors.pinnedVersionId}
              help="Follow the latest version, or pin one so author updates don't change what runs."
              options={[
                { value: "", label: `Latest (${versions[0]?.version ?? "—"})` },
                ...versions.map((v) => ({ value: v.id, label: `Pin ${v.version}` })),
              ]}
            />
          </section>
        </div>
        <aside className="h-fit space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm lg:sticky lg:top-6">
          <dl className="space-y-2 text-sm">
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Markets</dt>
              <dd className="text-right font-medium">{strategy.symbols.join(", ")}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Candle</dt>
              <dd className="font-medium">{strategy.resolution}</dd>
            </div>
            <div className="flex justify-between gap-2">
              <dt className="text-slate-500">Subscribers</dt>
              <dd className="font-medium">{strategy.subscriberCount}</dd>
            </div>
          </dl>
          <SubmitButton className="w-full" pendingLabel="Subscribing…">
            Subscribe
          </SubmitButton>
          <p className="text-xs text-slate-500">
            Pause or cancel at any time. Trading involves risk; past results don't promise future ones.
          </p>
        </aside>
      </Form>
    </div>
  );
}
