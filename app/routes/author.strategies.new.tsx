// /author/strategies/new: a new strategy with its first version; Validate runs the code on a worker before publishing.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { LiveValidation } from "~/components/author-validation-poll";
import { DescriptionField, listError, VersionButtons, VersionFields } from "~/components/author-version-form";
import { FormError, SelectField, TextField } from "~/components/forms";
import {
  echoValues,
  parseMetaForm,
  parseVersionForm,
  validateFromForm,
} from "~/services/author-forms.server";
import { formFieldErrors } from "~/services/domain-errors.server";
import { requireUserId } from "~/session.server";
import { createStrategy, publishVersion } from "../../db/store/queries/strategies";
import { announceStrategyChange } from "~/strategy-changes.server";
import { AUTHOR_FORM_BODY_LIMIT, readForm } from "~/request-body.server";

export const meta: MetaFunction = () => [{ title: "New strategy · Candlecast" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUserId(request, context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const userId = await requireUserId(request, context);
  const form = await readForm(request, AUTHOR_FORM_BODY_LIMIT);
  const values = await echoValues(form);
  if (form.get("intent") === "validate") {
    const validated = await validateFromForm(context, userId, form);
    return json({ ...validated, values, formError: null });
  }
  const meta = parseMetaForm(form);
  const version = await parseVersionForm(form);
  if (!meta.ok || !version.ok) {
    const errors = { ...(meta.ok ? {} : meta.errors), ...(version.ok ? {} : version.errors) };
    return json(
      { view: null, requestId: null, errors, values, formError: "Some fields need attention." },
      { status: 400 },
    );
  }
  const db = context.app.store.db;
  let id: string;
  try {
    ({ id } = await createStrategy(db, userId, meta.data));
  } catch (error) {
    return json(
      { view: null, requestId: null, errors: formFieldErrors(error), values, formError: null },
      { status: 400 },
    );
  }
  await publishVersion(db, userId, id, version.data);
  await announceStrategyChange(context, id);
  return redirect(`/author/strategies/${id}?published=${encodeURIComponent(version.data.version)}`);
}

export default function NewStrategy() {
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const v = result?.values ?? {};
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <div>
        <Link to="/author/strategies" className="text-sm text-brand-700 hover:underline">
          ← My strategies
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">New strategy</h1>
        <p className="mt-1 text-slate-600">
          Describe it, choose its markets, write or upload its code. Validate runs it once, sandboxed, on
          sample candles.
        </p>
      </div>
      <Form method="post" encType="multipart/form-data" className="space-y-6">
        <FormError error={result?.formError ?? undefined} />
        <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <h2 className="text-base font-semibold text-slate-900">About</h2>
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField name="name" label="Name" defaultValue={v.name} error={errors.name} required />
            <TextField
              name="slug"
              label="Slug"
              defaultValue={v.slug}
              error={errors.slug}
              help="Its URL: /strategies/your-slug"
              required
            />
          </div>
          <DescriptionField defaultValue={v.description} error={errors.description} />
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              name="tags"
              label="Tags"
              defaultValue={v.tags}
              error={listError(errors, "tags")}
              help="Comma separated, like trend, momentum"
            />
            <SelectField
              name="visibility"
              label="Visibility"
              defaultValue={v.visibility || "draft"}
              error={errors.visibility}
              options={[
                { value: "draft", label: "Draft (only you)" },
                { value: "public", label: "Public (in the marketplace)" },
              ]}
            />
          </div>
        </section>
        <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <h2 className="text-base font-semibold text-slate-900">First version</h2>
          <VersionFields
            values={{
              version: v.version || "1.0.0",
              symbols: v.symbols || "BTC/USDT",
              resolution: v.resolution || "1h",
              lookback: v.lookback || "100",
              params: v.params ?? "",
              changelog: v.changelog || "First release.",
              code: v.code ?? "",
            }}
            errors={errors}
          />
          <VersionButtons publishLabel="Create and publish" />
        </section>
      </Form>
      <LiveValidation
        view={result?.view ?? null}
        requestId={result?.requestId ?? null}
        declaredLookback={Number(v.lookback) || undefined}
      />
    </div>
  );
}
