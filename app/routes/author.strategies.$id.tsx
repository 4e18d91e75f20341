// /author/strategies/:id: the author's workspace for one strategy: details and visibility, validate and publish versions, deprecate, recent runs.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { MarketSourceBadge } from "~/components/market-source-badge";
import { VersionStatusBadge, VisibilityBadge } from "~/components/author-badges";
import { ExecutionRows } from "~/components/author-executions";
import { LiveValidation } from "~/components/author-validation-poll";
import {
  DescriptionField,
  listError,
  nextVersion,
  VersionButtons,
  VersionFields,
} from "~/components/author-version-form";
import { buttonClass, FormError, SelectField, SubmitButton, TextField } from "~/components/forms";
import { formatSignedPct, formatUtc, formatUtcDate } from "~/components/market-format";
import {
  echoValues,
  parseMetaForm,
  parseVersionForm,
  validateFromForm,
} from "~/services/author-forms.server";
import { domainFieldError, formFieldErrors } from "~/services/domain-errors.server";
import { requireUserId } from "~/session.server";
import {
  getAuthorStrategyView,
  getAuthorVersion,
  listAuthorExecutions,
  listVersions,
  setVersionStatus,
  updateStrategyMeta,
} from "../../db/store/queries/author";
import { listBacktests } from "../../db/store/queries/backtests";
import { publishVersion } from "../../db/store/queries/strategies";
import { announceStrategyChange } from "~/strategy-changes.server";
import { AUTHOR_FORM_BODY_LIMIT, readForm } from "~/request-body.server";
import { echoedText } from "~/form-echo";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.strategy.name ?? "Strategy"} · My strategies · Candlecast` },
];

async function requireOwnStrategy(
  request: Request,
  context: LoaderFunctionArgs["context"],
  id: string | undefined,
) {
  const userId = await requireUserId(request, context);
  const strategy = await getAuthorStrategyView(context.app.store.db, userId, id ?? "");
  if (!strategy) throw new Response("Strategy not found", { status: 404 });
  return { userId, strategy };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { userId, strategy } = await requireOwnStrategy(request, context, params.id);
  const db = context.app.store.db;
  const [versions, executions, backtests] = await Promise.all([
    listVersions(db, strategy.id),
    listAuthorExecutions(db, userId, { limit: 8 }, strategy.id),
    listBacktests(db, userId, { limit: 5 }, strategy.id),
  ]);
  const latest = strategy.latestVersionId
    ? await getAuthorVersion(db, userId, strategy.id, strategy.latestVersionId)
    : undefined;
  return json({
    strategy,
    versions,
    latest: latest ?? null,
    executions: executions.items,
    backtests: backtests.items,
    published: new URL(request.url).searchParams.get("published"),
  });
}

type ActionData = {
  intent: string;
  errors: Record<string, string>;
  values: Record<string, string>;
  formError?: string | null;
  view?: Awaited<ReturnType<typeof validateFromForm>>["view"];
  requestId?: string | null;
  saved?: boolean;
};

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { userId, strategy } = await requireOwnStrategy(request, context, params.id);
  const db = context.app.store.db;
  const form = await readForm(request, AUTHOR_FORM_BODY_LIMIT);
  const intent = echoedText(form, "intent");
  const values = await echoValues(form);
  const reply = (data: Omit<ActionData, "intent" | "values">, status = 200) =>
    json<ActionData>({ intent, values, ...data }, { status });

  if (intent === "meta") {
    const parsed = parseMetaForm(form);
    if (!parsed.ok) return reply({ errors: parsed.errors }, 400);
    try {
      await updateStrategyMeta(db, userId, strategy.id, parsed.data);
    } catch (error) {
      return reply({ errors: formFieldErrors(error) }, 400);
    }
    return reply({ errors: {}, saved: true });
  }
  if (intent === "validate") return reply(await validateFromForm(context, userId, form));
  if (intent === "publish") {
    const parsed = await parseVersionForm(form);
    if (!parsed.ok) return reply({ errors: parsed.errors, formError: "The version needs attention." }, 400);
    try {
      await publishVersion(db, userId, strategy.id, parsed.data);
      await announceStrategyChange(context, strategy.id);
    } catch (error) {
      return reply({ errors: formFieldErrors(error) }, 400);
    }
    return redirect(`/author/strategies/${strategy.id}?published=${encodeURIComponent(parsed.data.version)}`);
  }
  if (intent === "deprecate" || intent === "restore") {
    try {
      const done = await setVersionStatus(
        db,
        userId,
        strategy.id,
        String(form.get("versionId") ?? ""),
        intent === "deprecate" ? "deprecated" : "published",
      );
      if (!done) throw new Response("Version not found", { status: 404 });
      await announceStrategyChange(context, strategy.id);
    } catch (error) {
      const refused = domainFieldError(error);
      if (!refused) throw error;
      return reply({ errors: {}, formError: refused.message }, 409);
    }
    return reply({ errors: {} });
  }
  return reply({ errors: {}, formError: "Unknown action" }, 400);
}

function Section({
  title,
  children,
  aside,
}: {
  title: string;
  children: React.ReactNode;
  aside?: React.ReactNode;
}) {
  return (
    <section aria-label={title} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold text-slate-900">{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

export default function StrategyWorkspace() {
  const { strategy, versions, latest, executions, backtests, published } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  const metaValues = result?.intent === "meta" ? result.values : null;
  const versionValues =
    result && (result.intent === "publish" || result.intent === "validate") ? result.values : null;

  return (
    <div className="space-y-6">
      <div>
        <Link to="/author/strategies" className="text-sm text-brand-700 hover:underline">
          ← My strategies
        </Link>
        <div className="mt-2 flex flex-wrap items-center justify-between gap-4">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight">{strategy.name}</h1>
            <VisibilityBadge visibility={strategy.visibility} />
            {strategy.latestVersion ? (
              <span className="font-mono text-sm text-slate-500">v{strategy.latestVersion}</span>
            ) : null}
          </div>
          <div className="flex flex-wrap gap-2">
            {strategy.visibility === "public" ? (
              <Link to={`/strategies/${strategy.slug}`} className={buttonClass("secondary", "sm")}>
                Public page
              </Link>
            ) : null}
            {strategy.latestVersionId ? (
              <Link to={`/strategies/${strategy.slug}/backtest`} className={buttonClass("secondary", "sm")}>
                Run a backtest
              </Link>
            ) : null}
            <Link
              to={`/author/executions?strategy=${strategy.id}`}
              className={buttonClass("secondary", "sm")}
            >
              Execution log
            </Link>
          </div>
        </div>
      </div>

      {published ? (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
        >
          Version {published} is published: unpinned subscribers run it from the next candle.
        </p>
      ) : null}
      <FormError error={result?.formError ?? undefined} />

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Section title="Publish a new version">
            <Form method="post" encType="multipart/form-data" className="space-y-4">
              <VersionFields
                values={{
                  version: versionValues?.version ?? nextVersion(strategy.latestVersion),
                  symbols: versionValues?.symbols ?? latest?.symbols.join(", ") ?? "BTC/USDT",
                  resolution: versionValues?.resolution ?? latest?.resolution ?? "1h",
                  lookback: versionValues?.lookback ?? String(latest?.lookback ?? 100),
                  params:
                    versionValues?.params ??
                    (latest && Object.keys(latest.params).length ? JSON.stringify(latest.params) : ""),
                  changelog: versionValues?.changelog ?? "",
                  code: versionValues?.code ?? latest?.code ?? "",
                }}
                errors={result?.intent === "publish" || result?.intent === "validate" ? errors : {}}
              />
              <VersionButtons publishLabel="Publish version" />
            </Form>
          </Section>
          <LiveValidation
            view={result?.intent === "validate" ? (result.view ?? null) : null}
            requestId={result?.intent === "validate" ? (result.requestId ?? null) : null}
            declaredLookback={Number(versionValues?.lookback) || latest?.lookback}
          />
          <Section
            title="Recent executions"
            aside={
              <Link
                to={`/author/executions?strategy=${strategy.id}`}
                className="text-sm text-brand-700 hover:underline"
              >
                Full log
              </Link>
            }
          >
            <ExecutionRows executions={executions} showStrategy={false} />
          </Section>
        </div>

        <div className="space-y-6">
          <Section title="Versions">
            {versions.length === 0 ? (
              <p className="text-sm text-slate-600">No version published yet.</p>
            ) : (
              <ol className="space-y-3">
                {versions.map((v) => (
                  <li key={v.id} className="rounded-lg border border-slate-200 px-3 py-2">
                    <div className="flex flex-wrap items-center justify-between gap-2">
                      <span className="font-mono text-sm font-semibold">{v.version}</span>
                      <VersionStatusBadge status={v.status} latest={v.id === strategy.latestVersionId} />
                    </div>
                    <p className="mt-1 text-xs text-slate-500">
                      {formatUtcDate(v.publishedAt ?? v.createdAt)} · {v.symbols.join(", ")} · {v.resolution}{" "}
                      · lookback {v.lookback}
                    </p>
                    {v.changelog ? <p className="mt-1 text-sm text-slate-700">{v.changelog}</p> : null}
                    {v.id !== strategy.latestVersionId ? (
                      <Form method="post" className="mt-2">
                        <input type="hidden" name="versionId" value={v.id} />
                        {v.status === "deprecated" ? (
                          <SubmitButton
                            name="intent"
                            value="restore"
                            variant="secondary"
                            size="sm"
                            aria-label={`Restore ${v.version}`}
                          >
                            Restore
                          </SubmitButton>
                        ) : (
                          <SubmitButton
                            name="intent"
                            value="deprecate"
                            variant="secondary"
                            size="sm"
                            aria-label={`Deprecate ${v.version}`}
                          >
                            Deprecate
                          </SubmitButton>
                        )}
                      </Form>
                    ) : null}
                  </li>
                ))}
              </ol>
            )}
          </Section>

          <Section title="Details">
            <Form method="post" className="space-y-4">
              <TextField
                name="name"
                label="Name"
                defaultValue={metaValues?.name ?? strategy.name}
                error={metaValues ? errors.name : undefined}
              />
              <TextField
                name="slug"
                label="Slug"
                defaultValue={metaValues?.slug ?? strategy.slug}
                error={metaValues ? errors.slug : undefined}
              />
              <DescriptionField
                rows={4}
                defaultValue={metaValues?.description ?? strategy.description}
                error={metaValues ? errors.description : undefined}
              />
              <TextField
                name="tags"
                label="Tags"
                defaultValue={metaValues?.tags ?? strategy.tags.join(", ")}
                error={metaValues ? listError(errors, "tags") : undefined}
              />
              <SelectField
                name="visibility"
                label="Visibility"
                defaultValue={metaValues?.visibility ?? strategy.visibility}
                options={[
                  { value: "draft", label: "Draft (only you)" },
                  { value: "public", label: "Public (in the marketplace)" },
                ]}
              />
              <div className="flex items-center gap-3">
                <SubmitButton name="intent" value="meta" pendingLabel="Saving…">
                  Save details
                </SubmitButton>
                {result?.saved ? (
                  <span role="status" className="text-sm text-emerald-700">
                    Saved.
                  </span>
                ) : null}
              </div>
            </Form>
          </Section>

          <Section title="My backtests">
            {backtests.length === 0 ? (
              <p className="text-sm text-slate-600">None yet.</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {backtests.map((b) => (
                  <li key={b.id} className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <Link
                      to={`/strategies/${strategy.slug}/backtest?id=${b.id}`}
                      className="text-brand-700 hover:underline"
                    >
                      v{b.version} · {b.symbol} · {formatUtcDate(b.fromTime)} → {formatUtcDate(b.toTime)}
                    </Link>
                    <span className="text-slate-500">
                      {b.status === "completed"
                        ? formatSignedPct((b.stats as { returnPct?: number } | null)?.returnPct)
                        : b.status}
                    </span>
                    <MarketSourceBadge source={b.marketSource} />
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <p className="text-xs text-slate-400">Created {formatUtc(strategy.createdAt)}</p>
        </div>
      </div>
    </div>
  );
}
