// Checks an API answer against the served OpenAPI document itself (not our zod schemas): the status is
// documented for the operation, the body matches the documented JSON Schema, the headers are declared.
import { z } from "zod";
import type { ApiAnswer } from "./api-harness";

type Json = Record<string, unknown>;
interface ResponseObject {
  headers?: Record<string, Json>;
  content?: Record<string, { schema: Json }>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, Json> }>>;
  components: Json;
}

/** The headers our API sets whose presence a client may rely on: each one sent must be declared. */
const CONTRACT_HEADERS = [
  "x-request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-scope",
  "retry-after",
  "location",
  "allow",
  "www-authenticate",
  "idempotent-replayed",
];

export function openApiContract(doc: OpenApiDoc) {
  const resolve = (ref: string): Json =>
    ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<Json>((node, key) => node[key.replace(/~1/g, "/").replace(/~0/g, "~")] as Json, doc as never);

  /** The schema with every $ref replaced by its target (the document has no cycles). */
  function inline(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(inline);
    if (typeof node !== "object" || node === null) return node;
    const { $ref, ...rest } = node as Json;
    const merged = typeof $ref === "string" ? { ...resolve($ref), ...rest } : rest;
    if (typeof $ref === "string") return inline(merged);
    return Object.fromEntries(
      Object.entries(merged).map(([k, v]) => [k, ["examples", "enum", "const"].includes(k) ? v : inline(v)]),
    );
  }

  const operations = new Map<string, { method: string; path: string; responses: Record<string, Json> }>();
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item))
      operations.set(op.operationId, { method, path, responses: op.responses });

  const validators = new Map<string, z.ZodType>();

  /** What does not match the document ([] when the answer is as documented). */
  return function problems(operationId: string, answer: ApiAnswer): string[] {
    const op = operations.get(operationId);
    if (!op) return [`${operationId} is not in the document`];
    const declared = op.responses[String(answer.status)];
    if (!declared) return [`${operationId} answered an undocumented ${answer.status}`];
    const response = inline(declared) as ResponseObject;
    const found: string[] = [];
    const headerNames = new Set(Object.keys(response.headers ?? {}).map((h) => h.toLowerCase()));
    for (const [name, header] of Object.entries(response.headers ?? {}))
      if (header.required && !answer.headers.has(name)) found.push(`missing required header ${name}`);
    for (const name of CONTRACT_HEADERS)
      if (answer.headers.has(name) && !headerNames.has(name)) found.push(`undeclared header ${name}`);
    const schema = response.content?.["application/json"]?.schema;
    if (schema) {
      const key = `${operationId} ${answer.status}`;
      let validator = validators.get(key);
      if (!validator) {
        validator = z.fromJSONSchema(schema as never);
        validators.set(key, validator);
      }
      const parsed = validator.safeParse(answer.body);
      if (!parsed.success)
        found.push(...parsed.error.issues.slice(0, 3).map((i) => `body.${i.path.join(".")}: ${i.message}`));
    }
    return found;
  };
}
