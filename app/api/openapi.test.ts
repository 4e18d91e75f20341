// The OpenAPI document: generated, structurally valid, one-to-one with the route files and their methods, and honest about required fields.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { insertStrategy, insertUser } from "../../test/support/store";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { buildOpenApi } from "./openapi.server";
import { OPERATIONS } from "./operations.server";

const ROUTES = fileURLToPath(new URL("../routes/", import.meta.url));
const METHODS = ["get", "post", "patch", "delete"] as const;

let h: ApiHarness;
let token: string;
interface OperationObject {
  operationId: string;
  summary: string;
  parameters: { name: string; in: string; schema: unknown }[];
  requestBody?: {
    content: Record<
      string,
      {
        schema: {
          required?: string[];
          additionalProperties?: unknown;
          properties?: Record<string, { anyOf?: { type: string; format?: string }[] }>;
        };
      }
    >;
  };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, unknown> };
}
let doc: Doc;
let ids: Record<string, string>;

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  const u = await insertUser(h.t.store, "docs");
  token = (await createApiToken(h.t.store.db, u.id, "docs")).token;
  const s = await insertStrategy(h.t.store, u.id, { slug: "docs-strategy", resolution: "1h" });
  ids = { id: s.id, versionId: s.versionId };
  const served = await h.call("GET", "/api/v1/openapi.json");
  expect(served.status).toBe(200);
  doc = served.body;
});
afterAll(async () => {
  await h.t.close();
});

/** /api/v1/strategies/{id}/versions from app/routes/api.v1.strategies.$id.versions.ts */
function pathOfRouteFile(file: string): string {
  const segments = file
    .replace(/^api\.v1\./, "")
    .replace(/\.ts$/, "")
    .split(/\.(?![^[]*\])/);
  return `/api/v1/${segments.map((s) => (s.startsWith("$") ? `{${s.slice(1)}}` : s.replace(/\[\.\]/g, "."))).join("/")}`;
}

const JSON_SCHEMA_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

/** A structural check of a JSON Schema (2020-12 subset zod emits): every keyword has the right kind of value. */
function checkSchema(schema: unknown, where: string, refs: Set<string>): void {
  if (typeof schema === "boolean") return;
  expect(
    typeof schema === "object" && schema !== null && !Array.isArray(schema),
    `${where} is not a schema`,
  ).toBe(true);
  const s = schema as Record<string, unknown>;
  if ("type" in s) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const t of types)
      expect(JSON_SCHEMA_TYPES.has(t as string), `${where}.type ${String(t)}`).toBe(true);
  }
  if ("$ref" in s) {
    expect(typeof s.$ref).toBe("string");
    refs.add(s.$ref as string);
  }
  if ("properties" in s) {
    for (const [k, v] of Object.entries(s.properties as object))
      checkSchema(v, `${where}.properties.${k}`, refs);
  }
  if ("required" in s) {
    expect(Array.isArray(s.required)).toBe(true);
    for (const r of s.required as string[])
      expect(Object.keys((s.properties as object) ?? {}), `${where}.required`).toContain(r);
  }
  if ("items" in s) checkSchema(s.items, `${where}.items`, refs);
  if ("prefixItems" in s)
    (s.prefixItems as unknown[]).forEach((x, i) => checkSchema(x, `${where}.prefixItems.${i}`, refs));
  if ("additionalProperties" in s) checkSchema(s.additionalProperties, `${where}.additionalProperties`, refs);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    if (key in s) {
      expect(Array.isArray(s[key])).toBe(true);
      (s[key] as unknown[]).forEach((x, i) => checkSchema(x, `${where}.${key}.${i}`, refs));
    }
  }
  if ("enum" in s) expect(Array.isArray(s.enum)).toBe(true);
  for (const key of ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"]) {
    if (key in s) expect(typeof s[key], `${where}.${key}`).toBe("number");
  }
  if ("pattern" in s) expect(() => new RegExp(s.pattern as string, "u")).not.toThrow();
}

describe("the OpenAPI document", () => {
  it("is served without a token and is the one generated from the operations", () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi(OPERATIONS))));
    expect(doc.openapi).toBe("3.1.0");
  });

  it("is structurally valid: unique operation ids, declared path parameters, valid schemas, resolvable refs", () => {
    const ids = new Set<string>();
    const refs = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS).toContain(method);
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
        expect(op.summary).toEqual(expect.any(String));
        const inPath = op.parameters.filter((p) => p.in === "path").map((p) => p.name);
        expect(inPath.sort()).toEqual([...names].sort());
        for (const p of op.parameters)
          if ("$ref" in p) refs.add((p as { $ref: string }).$ref);
          else checkSchema(p.schema, `${op.operationId}.${p.name}`, refs);
        if (op.requestBody)
          checkSchema(op.requestBody.content["application/json"].schema, `${op.operationId}.body`, refs);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [status, r] of Object.entries(op.responses)) {
          expect(Number(status)).toBeGreaterThanOrEqual(200);
          if ("$ref" in r) continue;
          expect(r.description).toEqual(expect.any(String));
          if (r.content)
            checkSchema(r.content["application/json"].schema, `${op.operationId}.${status}`, refs);
        }
      }
    }
    for (const schema of Object.values(doc.components.schemas)) checkSchema(schema, "components", refs);
    for (const ref of refs) {
      const target = ref
        .replace(/^#\//, "")
        .split("/")
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, ref).toBeDefined();
    }
  });

  it("documents exactly the API route files (and each route file documents its paths)", () => {
    const files = readdirSync(ROUTES).filter(
      (f) => /^api\.v1\..+\.ts$/.test(f) && !f.endsWith(".test.ts") && f !== "api.v1.$.ts",
    );
    expect(files.map(pathOfRouteFile).sort()).toEqual(Object.keys(doc.paths).sort());
  });

  it("every path answers each documented method and refuses the others with 405", async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const concrete = path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? "x");
      for (const method of METHODS) {
        const answer = await h.call(method.toUpperCase(), concrete, {
          token,
          body: method === "get" || method === "delete" ? undefined : {},
        });
        if (method in item) expect(answer.status, `${method} ${path}`).not.toBe(405);
        else {
          expect(answer.status, `${method} ${path}`).toBe(405);
          expect(answer.body.error.code).toBe("method_not_allowed");
        }
        expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
        const documented = item[method]?.responses;
        if (documented) expect(Object.keys(documented), `${method} ${path}`).toContain(String(answer.status));
      }
    }
  });

  it("an empty body is refused naming exactly the documented required fields", async () => {
    for (const op of OPERATIONS.filter((o) => o.body && o.method === "POST")) {
      const path = `/api/v1${op.path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? "x")}`;
      const documented =
        doc.paths[`/api/v1${op.path}`].post.requestBody!.content["application/json"].schema.required ?? [];
      const answer = await h.call("POST", path, { token, body: {} });
      expect(answer.status, `${op.operationId}: ${JSON.stringify(answer.body)}`).toBe(422);
      expect(Object.keys(answer.body.error.fields).sort(), op.operationId).toEqual([...documented].sort());
    }
  });

  it("a PATCH body declares no defaults, and requires exactly what the server requires", async () => {
    for (const op of OPERATIONS.filter((o) => o.body && o.method === "PATCH")) {
      const schema = doc.paths[`/api/v1${op.path}`].patch.requestBody!.content["application/json"].schema;
      for (const [name, field] of Object.entries(schema.properties ?? {}))
        expect(field, `${op.operationId}.${name}`).not.toHaveProperty("default");
      const path = `/api/v1${op.path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? "x")}`;
      const answer = await h.call("PATCH", path, { token, body: {} });
      const refused = answer.status === 422 ? Object.keys(answer.body.error.fields).sort() : [];
      expect(refused, `${op.operationId}: ${answer.status}`).toEqual([...(schema.required ?? [])].sort());
    }
  });

  it("documents an instant as epoch milliseconds, a date or a date-time, as the server accepts it", () => {
    const from =
      doc.paths["/api/v1/strategies/{id}/backtests"].post.requestBody!.content["application/json"].schema
        .properties!.from;
    expect(from.anyOf!.map((s) => (s.type === "string" ? s.format : s.type))).toEqual([
      "integer",
      "date",
      "date-time",
    ]);
  });

  it("declares closed bodies and 415, as the server answers them", async () => {
    for (const op of OPERATIONS.filter((o) => o.body)) {
      const documented = doc.paths[`/api/v1${op.path}`][op.method.toLowerCase()];
      expect(documented.requestBody!.content["application/json"].schema.additionalProperties).toBe(false);
      expect(Object.keys(documented.responses), op.operationId).toEqual(
        expect.arrayContaining(["413", "415"]),
      );
      const path = `/api/v1${op.path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? "x")}`;
      const unknown = await h.call(op.method, path, { token, body: { notAField: 1 } });
      expect(unknown.status, op.operationId).toBe(422);
      expect(unknown.body.error.fields, op.operationId).toHaveProperty("notAField");
      const text = await h.call(op.method, path, {
        token,
        raw: "{}",
        headers: { "Content-Type": "text/plain" },
      });
      expect(text.status, op.operationId).toBe(415);
    }
  });
});
