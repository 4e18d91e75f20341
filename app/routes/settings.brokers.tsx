// /settings/brokers: the user's broker accounts; add a paper or an exchange account (credentials encrypted, shown masked).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { FormError, SelectField, SubmitButton, TextField } from "~/components/forms";
import { requireUserId } from "~/session.server";
import { createBrokerAccount, listBrokerAccounts } from "../../db/store/queries/broker-accounts";
import { brokerAccountSchema, SUPPORTED_EXCHANGES } from "../../db/contracts/validation/broker-account";
import { parseInput } from "../../db/contracts/validation/fields";
import { SettingsTabs } from "~/components/settings-tabs";
import { PositionMismatches } from "~/components/position-mismatch";
import { listPositionMismatches } from "../../db/store/queries/position-checks";
import { readForm } from "~/request-body.server";
import { echoedText } from "~/form-echo";
import { CloseAllPositions, CloseAllStatus } from "~/components/close-all-positions";
import { closeAllPositions } from "~/services/kill-switch.server";
import { JobsUnavailableError } from "~/services/author-jobs.server";
import { readCloseAllScope } from "../../db/store/queries/kill-switch";

export const meta: MetaFunction = () => [{ title: "Broker accounts · Candlecast" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const db = context.app.store.db;
  const [list, positionMismatches] = await Promise.all([
    listBrokerAccounts(db, userId),
    listPositionMismatches(db, userId),
  ]);
  const accounts = await Promise.all(
    list.map(async (a) => {
      const scope = await readCloseAllScope(db, userId, { brokerAccountId: a.id });
      return {
        ...a,
        closeAll: {
          openTrades: scope?.openTrades ?? 0,
          restingOrders: scope?.restingOrders ?? 0,
          toPause: scope?.active.length ?? 0,
        },
      };
    }),
  );
  return json({ accounts, positionMismatches });
}

/** The kill switch for one of the user's accounts: the status line's figures, or why it could not start. */
async function closeAccount(context: ActionFunctionArgs["context"], userId: string, accountId: string) {
  try {
    const queued = await closeAllPositions(context, userId, { brokerAccountId: accountId });
    if (!queued) throw new Response("Broker account not found", { status: 404 });
    return json({ closeAll: { ...queued, accountId } });
  } catch (error) {
    if (error instanceof JobsUnavailableError)
      return json({ closeAllError: { accountId, message: error.message } }, { status: 503 });
    throw error;
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const userId = await requireUserId(request, context);
  const form = await readForm(request);
  if (form.get("intent") === "close-all") return closeAccount(context, userId, String(form.get("accountId")));
  const parsed = parseInput(brokerAccountSchema, form);
  // Only what is safe to echo back: never the API key or the secret.
  const values = {
    kind: echoedText(form, "kind") || "paper",
    name: echoedText(form, "name"),
    exchange: echoedText(form, "exchange"),
  };
  if (!parsed.ok) return json({ ok: false as const, errors: parsed.errors, values }, { status: 400 });
  const { id } = await createBrokerAccount(
    context.app.store.db,
    userId,
    parsed.data,
    context.app.config.encryptionKey,
  );
  return json({ ok: true as const, addedId: id, errors: {} as Record<string, string>, values: null });
}

type ActionData = ReturnType<typeof useActionData<typeof action>>;

function AccountRow({
  account,
  result,
}: {
  account: ReturnType<typeof useLoaderData<typeof loader>>["accounts"][number];
  result: ActionData;
}) {
  const queued = result && "closeAll" in result && result.closeAll.accountId === account.id;
  const refused = result && "closeAllError" in result && result.closeAllError.accountId === account.id;
  return (
    <li className="space-y-2 px-4 py-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <p className="truncate font-medium text-slate-900">{account.name}</p>
          <p className="text-sm text-slate-500">
            {account.kind === "paper"
              ? "Simulated fills at the candle close, no real money"
              : `${account.exchange}${account.testnet ? " · testnet" : ""}`}
          </p>
        </div>
        <div className="flex items-center gap-2">
          {account.credentialsHint ? (
            <span
              className="rounded bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-600"
              title="API key (masked)"
            >
              {account.credentialsHint}
            </span>
          ) : null}
          <span
            className={`rounded-full px-2 py-0.5 text-xs font-medium ${account.kind === "paper" ? "bg-sky-50 text-sky-700" : "bg-amber-50 text-amber-800"}`}
          >
            {account.kind === "paper" ? "Paper" : "Exchange"}
          </span>
          <CloseAllPositions
            action="/settings/brokers"
            fallbackHref={`/settings/brokers/${account.id}/close-all`}
            fields={{ accountId: account.id }}
            kind={account.kind}
            counts={account.closeAll}
            label={`Close all positions on ${account.name}`}
          />
        </div>
      </div>
      {queued ? <CloseAllStatus queued={result.closeAll} /> : null}
      {refused ? <FormError error={result.closeAllError.message} /> : null}
    </li>
  );
}

export default function BrokerAccounts() {
  const { accounts, positionMismatches } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  // The add-account form's answer; a close-all answer belongs to its account's row.
  const result = answer && "values" in answer ? answer : undefined;
  const errors: Record<string, string> = result?.errors ?? {};
  const values = result?.values;
  const [kind, setKind] = useState(values?.kind === "exchange" ? "exchange" : "paper");
  const formRef = useRef<HTMLFormElement>(null);
  // Without JavaScript every field stays visible; with it, the exchange fields show only when needed.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    if (result?.ok) {
      formRef.current?.reset();
      setKind("paper");
    }
  }, [result]);

  return (
    <div className="mx-auto max-w-3xl space-y-8">
      <SettingsTabs />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Broker accounts</h1>
        <p className="mt-1 text-slate-600">
          Where your subscriptions place their orders. Each subscription uses one account.
        </p>
      </div>

      <PositionMismatches mismatches={positionMismatches} showAccount />

      <section
        aria-labelledby="accounts-heading"
        className="rounded-xl border border-slate-200 bg-white shadow-sm"
      >
        <h2
          id="accounts-heading"
          className="border-b border-slate-200 px-4 py-3 text-sm font-semibold text-slate-700"
        >
          Your accounts
        </h2>
        <ul className="divide-y divide-slate-100">
          {accounts.map((a) => (
            <AccountRow key={a.id} account={a} result={answer} />
          ))}
        </ul>
      </section>

      <section
        aria-labelledby="add-heading"
        className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
      >
        <h2 id="add-heading" className="text-lg font-semibold">
          Add an account
        </h2>
        {result?.ok ? (
          <p
            role="status"
            className="mt-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
          >
            Account added. API credentials are stored encrypted and are never shown again.
          </p>
        ) : null}
        <Form ref={formRef} method="post" noValidate className="mt-4 space-y-4">
          <FormError error={errors._form ?? errors.kind} />
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Type</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-2">
              {(["paper", "exchange"] as const).map((k) => (
                <label
                  key={k}
                  className="flex cursor-pointer items-start gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50"
                >
                  <input
                    type="radio"
                    name="kind"
                    value={k}
                    defaultChecked={kind === k}
                    onChange={() => setKind(k)}
                    className="mt-1"
                  />
                  <span>
                    <span className="block text-sm font-medium">{k === "paper" ? "Paper" : "Exchange"}</span>
                    <span className="block text-xs text-slate-500">
                      {k === "paper"
                        ? "Practise with simulated fills."
                        : "Trade on your exchange account through its API."}
                    </span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <TextField
            name="name"
            label="Name"
            defaultValue={values?.name ?? ""}
            error={errors.name}
            placeholder="e.g. Binance main"
          />
          <div className={hydrated && kind === "paper" ? "hidden" : "space-y-4"} data-exchange-fields>
            <p className="text-xs text-slate-500">Only needed for exchange accounts.</p>
            <SelectField
              name="exchange"
              label="Exchange"
              defaultValue={values?.exchange || "binance"}
              error={errors.exchange}
              options={SUPPORTED_EXCHANGES.map((e) => ({ value: e, label: e[0].toUpperCase() + e.slice(1) }))}
            />
            <TextField
              name="apiKey"
              label="API key"
              autoComplete="off"
              spellCheck={false}
              error={errors.apiKey}
            />
            <TextField
              name="secret"
              label="API secret"
              type="password"
              autoComplete="new-password"
              error={errors.secret}
              help="Encrypted with AES-GCM before it is stored; only the worker decrypts it to place orders. Use a key without withdrawal rights."
            />
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" name="testnet" className="rounded border-slate-300" />
              Testnet (sandbox) account
            </label>
          </div>
          <SubmitButton pendingLabel="Adding…">Add account</SubmitButton>
        </Form>
      </section>
    </div>
  );
}
