// /api-docs: the OpenAPI document rendered readably: every operation with its parameters, body and response schemas.
import type { MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { openApiDocument } from "~/api/operations.server";

export const meta: MetaFunction = () => [{ title: "API reference · Candlecast" }];

// The generated document is trusted here (it is ours); the loader reshapes it for display only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a JSON document we generate ourselves
type Json = Record<string, any>;

const pretty = (schema: unknown) => JSON.stringify(schema, null, 2);

/** A local `$ref` ("#/components/…") resolved in the document; anything else as it is. */
const resolved = (doc: Json, node: Json): Json =>
  typeof node.$ref === "string"
    ? (node.$ref as string)
        .slice(2)
        .split("/")
        .reduce((at: Json, key: string) => at[key], doc)
    : node;

/** The schema to show: a named component is shown whole, under its name. */
const shown = (doc: Json, schema: Json) => {
  const named = typeof schema.$ref === "string" ? (schema.$ref as string).split("/").pop() : null;
  return { name: named ?? null, schema: pretty(resolved(doc, schema)) };
};

export async function loader() {
  const doc = openApiDocument() as Json;
  const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]: [string, Json]) => ({
      id: op.operationId as string,
      method: method.toUpperCase(),
      path,
      tag: op.tags[0] as string,
      summary: op.summary as string,
      description: (op.description as string | undefined) ?? null,
      auth: op.security.length > 0,
      parameters: (op.parameters as Json[])
        .map((ref) => resolved(doc, ref))
        .map((p) => ({
          name: p.name as string,
          in: p.in as string,
          required: Boolean(p.required),
          type: [
            p.schema.type,
            p.schema.enum ? `(${p.schema.enum.join(" | ")})` : "",
            p.schema.default !== undefined ? `= ${p.schema.default}` : "",
          ]
            .filter(Boolean)
            .join(" "),
          description: (p.description as string | undefined) ?? "",
        })),
      body: op.requestBody ? pretty(op.requestBody.content["application/json"].schema) : null,
      responses: Object.entries(op.responses as Json)
        .map(([status, ref]: [string, Json]) => [status, resolved(doc, ref)] as const)
        .map(([status, r]) => {
          const schema = r.content?.["application/json"].schema as Json | undefined;
          const errorShape = schema?.$ref === "#/components/schemas/Error";
          return {
            status,
            description: r.description as string,
            schema: schema && !errorShape ? shown(doc, schema) : null,
          };
        }),
    })),
  );
  return json(
    {
      title: doc.info.title,
      version: doc.info.version,
      description: doc.info.description as string,
      operations,
      error: pretty(doc.components.schemas.Error),
    },
    { headers: { "Cache-Control": "public, max-age=300" } },
  );
}

const METHOD_TONE: Record<string, string> = {
  GET: "bg-sky-100 text-sky-800",
  POST: "bg-emerald-100 text-emerald-800",
  PATCH: "bg-amber-100 text-amber-900",
  DELETE: "bg-rose-100 text-rose-800",
};

/** Text with `code` spans, as the document's descriptions write them. */
function WithCode({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, i) =>
        i % 2 ? (
          <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.9em]">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

function SchemaBlock({ label, schema }: { label: string; schema: string }) {
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-sm text-brand-700">{label}</summary>
      <pre className="mt-1 max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
        {schema}
      </pre>
    </details>
  );
}

export default function ApiDocs() {
  const { title, version, description, operations, error } = useLoaderData<typeof loader>();
  const tags = [...new Set(operations.map((o) => o.tag))];
  return (
    <div className="grid gap-8 lg:grid-cols-[14rem_1fr]">
      <nav aria-label="API sections" className="lg:sticky lg:top-4 lg:self-start">
        <ul className="space-y-1 text-sm">
          {tags.map((tag) => (
            <li key={tag}>
              <a href={`#${tag.toLowerCase()}`} className="text-slate-700 hover:text-brand-700">
                {tag}
              </a>
            </li>
          ))}
          <li className="pt-2">
            <a href="/api/v1/openapi.json" className="font-mono text-xs text-brand-700 hover:underline">
              openapi.json
            </a>
          </li>
        </ul>
      </nav>
      <div className="min-w-0 space-y-10">
        <header>
          <h1 className="text-2xl font-semibold tracking-tight">
            {title} <span className="text-base font-normal text-slate-500">v{version} · OpenAPI 3.1</span>
          </h1>
          {description.split("\n\n").map((p) => (
            <p key={p} className="mt-2 text-slate-700">
              <WithCode text={p} />
            </p>
          ))}
          <SchemaBlock label="Error shape" schema={error} />
        </header>
        {tags.map((tag) => (
          <section key={tag} id={tag.toLowerCase()} aria-label={tag} className="space-y-4">
            <h2 className="text-lg font-semibold text-slate-900">{tag}</h2>
            {operations
              .filter((o) => o.tag === tag)
              .map((op) => (
                <article
                  key={op.id}
                  id={op.id}
                  className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
                >
                  <h3 className="flex flex-wrap items-center gap-2">
                    <span
                      className={`rounded px-2 py-0.5 font-mono text-xs font-bold ${METHOD_TONE[op.method]}`}
                    >
                      {op.method}
                    </span>
                    <code className="font-mono text-sm text-slate-900">{op.path}</code>
                    {op.auth ? null : <span className="text-xs text-slate-500">no token needed</span>}
                  </h3>
                  <p className="mt-2 text-sm text-slate-700">{op.summary}</p>
                  {op.description ? (
                    <p className="mt-1 text-sm text-slate-600">
                      <WithCode text={op.description} />
                    </p>
                  ) : null}
                  {op.parameters.length ? (
                    <table className="mt-3 w-full text-left text-sm">
                      <thead className="text-xs uppercase tracking-wide text-slate-500">
                        <tr>
                          <th className="py-1 pr-3">Parameter</th>
                          <th className="py-1 pr-3">In</th>
                          <th className="py-1 pr-3">Type</th>
                          <th className="py-1">Description</th>
                        </tr>
                      </thead>
                      <tbody className="divide-y divide-slate-100">
                        {op.parameters.map((p) => (
                          <tr key={`${p.in}-${p.name}`}>
                            <td className="py-1 pr-3 font-mono text-xs">
                              {p.name}
                              {p.required ? <span className="text-rose-600">*</span> : null}
                            </td>
                            <td className="py-1 pr-3 text-slate-600">{p.in}</td>
                            <td className="py-1 pr-3 font-mono text-xs text-slate-600">{p.type}</td>
                            <td className="py-1 text-slate-600">{p.description}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                  {op.body ? <SchemaBlock label="Request body (JSON)" schema={op.body} /> : null}
                  <ul className="mt-3 space-y-1 text-sm">
                    {op.responses.map((r) => (
                      <li key={r.status}>
                        <span
                          className={`font-mono text-xs font-semibold ${Number(r.status) < 300 ? "text-emerald-700" : "text-slate-500"}`}
                        >
                          {r.status}
                        </span>{" "}
                        <span className="text-slate-600">
                          <WithCode text={r.description} />
                        </span>
                        {r.schema ? (
                          <SchemaBlock
                            label={`${r.status} response schema${r.schema.name ? `: ${r.schema.name}` : ""}`}
                            schema={r.schema.schema}
                          />
                        ) : null}
                      </li>
                    ))}
                  </ul>
                </article>
              ))}
          </section>
        ))}
      </div>
    </div>
  );
}
