// /settings/tokens: personal API tokens: create one (its secret is shown once), see when each was used, revoke.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { SubmitButton, TextField } from "~/components/forms";
import { formatTime } from "~/components/subscription-ui";
import { requireUserId } from "~/session.server";
import { createApiToken, listApiTokens, revokeApiToken } from "../../db/store/queries/api-tokens";
import { formFieldErrors } from "~/services/domain-errors.server";
import { apiTokenSchema } from "../../db/contracts/validation/api-token";
import { parseInput } from "../../db/contracts/validation/fields";
import { SettingsTabs } from "~/components/settings-tabs";
import { readForm } from "~/request-body.server";

export const meta: MetaFunction = () => [{ title: "API tokens · Candlecast" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  return json({ tokens: await listApiTokens(context.app.store.db, userId) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const userId = await requireUserId(request, context);
  const form = await readForm(request);
  const db = context.app.store.db;
  if (form.get("intent") === "revoke") {
    const done = await revokeApiToken(db, userId, String(form.get("tokenId") ?? ""));
    if (!done) throw new Response("Token not found", { status: 404 });
    return json({ created: null, errors: {} as Record<string, string>, revoked: true });
  }
  const parsed = parseInput(apiTokenSchema, form);
  if (!parsed.ok) return json({ created: null, errors: parsed.errors, revoked: false }, { status: 400 });
  let created;
  try {
    created = await createApiToken(db, userId, parsed.data.name);
  } catch (error) {
    return json({ created: null, errors: formFieldErrors(error), revoked: false }, { status: 409 });
  }
  // The secret travels once, in this response; only its hash is stored.
  return json(
    { created, errors: {} as Record<string, string>, revoked: false },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function ApiTokens() {
  const { tokens } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="mx-auto max-w-3xl space-y-8">
      <SettingsTabs />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">API tokens</h1>
        <p className="mt-1 text-slate-600">
          Tokens let scripts use the REST API as you:{" "}
          <code className="rounded bg-slate-100 px-1 font-mono text-sm">
            Authorization: Bearer &lt;token&gt;
          </code>
          . See the{" "}
          <Link to="/api-docs" className="text-brand-700 hover:underline">
            API reference
          </Link>
          .
        </p>
      </div>

      {result?.created ? (
        <section
          role="status"
          aria-label="New token"
          className="space-y-2 rounded-xl border border-emerald-200 bg-emerald-50 p-4"
        >
          <p className="font-medium text-emerald-900">
            Token “{result.created.name}” created. Copy it now: it is not shown again.
          </p>
          <input
            readOnly
            aria-label="New API token"
            value={result.created.token}
            onFocus={(e) => e.currentTarget.select()}
            className="block w-full rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm"
          />
        </section>
      ) : null}

      <section
        aria-labelledby="create-heading"
        className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
      >
        <h2 id="create-heading" className="text-base font-semibold text-slate-900">
          Create a token
        </h2>
        <Form method="post" className="mt-4 flex flex-wrap items-end gap-3">
          <div className="min-w-[16rem] flex-1">
            <TextField
              name="name"
              label="Token name"
              placeholder="deploy script"
              error={result?.errors.name}
              required
            />
          </div>
          <SubmitButton name="intent" value="create" pendingLabel="Creating…">
            Create token
          </SubmitButton>
        </Form>
      </section>

      <section
        aria-labelledby="tokens-heading"
        className="rounded-xl border border-slate-200 bg-white shadow-sm"
      >
        <h2
          id="tokens-heading"
          className="border-b border-slate-200 px-4 py-3 text-sm font-semibold text-slate-700"
        >
          Your tokens
        </h2>
        {tokens.length === 0 ? (
          <p className="px-4 py-6 text-sm text-slate-600">No tokens yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {tokens.map((t) => (
              <li key={t.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
                <div>
                  <p className="font-medium text-slate-900">
                    {t.name} <span className="ml-1 font-mono text-xs text-slate-500">{t.prefix}…</span>
                  </p>
                  <p className="text-xs text-slate-500">
                    Created {formatTime(t.createdAt)} ·{" "}
                    {t.lastUsedAt ? `last used ${formatTime(t.lastUsedAt)}` : "never used"}
                  </p>
                </div>
                {t.revokedAt ? (
                  <span className="text-sm text-slate-500">Revoked {formatTime(t.revokedAt)}</span>
                ) : (
                  <Form method="post">
                    <input type="hidden" name="tokenId" value={t.id} />
                    <SubmitButton
                      name="intent"
                      value="revoke"
                      variant="secondary"
                      size="sm"
                      aria-label={`Revoke ${t.name}`}
                    >
                      Revoke
                    </SubmitButton>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
