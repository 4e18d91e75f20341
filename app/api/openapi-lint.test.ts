// The served OpenAPI document through an independent linter (@redocly/cli with the committed redocly.yaml),
// and the house rules a linter does not know: named components, one nullable style, lowercase enums,
// every number described, the request id, 405 and 500 on every operation.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { insertUser } from "../../test/support/store";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
type Json = Record<string, unknown>;

let h: ApiHarness;
let doc: Json & { paths: Record<string, Record<string, Json>>; components: Record<string, Json> };
let dir: string;

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  doc = (await h.call("GET", "/api/v1/openapi.json")).body;
  dir = mkdtempSync(join(tmpdir(), "candlecast-openapi-"));
});
afterAll(async () => {
  await h.t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every schema object in the document with its JSON pointer. */
function* schemas(node: unknown, at = "#"): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [i, x] of node.entries()) yield* schemas(x, `${at}/${i}`);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const n = node as Json;
  if ("type" in n || "anyOf" in n || "oneOf" in n || "$ref" in n) yield [at, n];
  for (const [k, v] of Object.entries(n))
    if (!["examples", "example", "enum", "const", "default"].includes(k))
      yield* schemas(v, `${at}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`);
}

const pointer = (at: string) =>
  at
    .split("/")
    .slice(1)
    .reduce<unknown>((node, key) => (node as Json)[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ at: `${method} ${path}`, op: op as Json })),
  );

describe("the served OpenAPI document", () => {
  it("passes `redocly lint` with the committed config: no error and no warning", async () => {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(doc));
    const run = await promisify(execFile)(
      join(ROOT, "node_modules/.bin/redocly"),
      ["lint", file, "--config", join(ROOT, "redocly.yaml"), "--format", "json"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout: string }) => error);
    const report = JSON.parse(run.stdout) as {
      totals: Json;
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it("names the shared schemas as components, and the answers use them", () => {
    const names = Object.keys(doc.components.schemas);
    for (const name of ["Strategy", "Version", "Subscription", "Trade", "Backtest", "Execution", "Error"])
      expect(names).toContain(name);
    const getTrade = doc.paths["/api/v1/trades"].get as {
      responses: Record<string, { content: Record<string, { schema: Json }> }>;
    };
    expect(getTrade.responses["200"].content["application/json"].schema).toMatchObject({
      properties: { items: { items: { $ref: "#/components/schemas/Trade" } } },
    });
  });

  it("has one nullable style: a type list with null", () => {
    for (const [at, s] of schemas(doc)) {
      for (const key of ["anyOf", "oneOf"])
        expect(
          ((s[key] as Json[] | undefined) ?? []).some((o) => o.type === "null"),
          at,
        ).toBe(false);
      expect(s, at).not.toHaveProperty("nullable");
      if (Array.isArray(s.type) && s.type.includes("null") && Array.isArray(s.enum))
        expect(s.enum, at).toContain(null);
    }
  });

  it("uses one enum casing: lowercase", () => {
    let enums = 0;
    for (const [at, s] of schemas(doc)) {
      for (const value of [...((s.enum as unknown[]) ?? []), s.const])
        if (typeof value === "string") {
          enums++;
          expect(value, at).toBe(value.toLowerCase());
        }
    }
    expect(enums).toBeGreaterThan(50);
  });

  it("describes every number (its unit) and gives a format to every time", () => {
    for (const [at, s] of schemas(doc)) {
      const types = [s.type].flat();
      if (!types.includes("number") && !types.includes("integer")) continue;
      if (at.endsWith("/additionalProperties")) continue; // a params value: no unit
      const parameter = /^(.*)\/schema$/.exec(at)?.[1]; // a parameter or header: described itself
      const described = parameter ? (pointer(parameter) as Json).description : s.description;
      expect(described, at).toEqual(expect.any(String));
      if (/epoch milliseconds/.test(String(s.description)) && !at.includes("/anyOf/"))
        expect(s.format, at).toBe("int64");
    }
  });

  it("declares X-Request-Id on every answer, and 405 and 500 on every operation, each described", () => {
    for (const { at, op } of operations()) {
      expect(op.description, at).toEqual(expect.any(String));
      const responses = op.responses as Record<string, Json>;
      expect(responses["405"], at).toEqual({ $ref: "#/components/responses/MethodNotAllowed" });
      expect(Object.keys(responses), at).toContain("500");
      for (const [status, r] of Object.entries(responses)) {
        if (status === "405") continue;
        expect(r.headers, `${at} ${status}`).toHaveProperty("X-Request-Id");
        if (status === "429") expect(r.headers, at).toHaveProperty("Retry-After");
      }
    }
    expect(doc.components.responses.MethodNotAllowed).toMatchObject({
      headers: { "X-Request-Id": expect.anything(), Allow: expect.anything() },
    });
  });
});

describe("the request id", () => {
  it("is on every answer, and a 500 carries it in its body and in the log", async () => {
    const u = await insertUser(h.t.store, "rid");
    const token = (await createApiToken(h.t.store.db, u.id, "rid")).token;
    const ok = await h.call("GET", "/api/v1/me", { token });
    const other = await h.call("GET", "/api/v1/me", { token });
    expect(ok.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.headers.get("X-Request-Id")).not.toBe(ok.headers.get("X-Request-Id"));
    const missing = await h.call("GET", "/api/v1/strategies/nope", { token });
    expect(missing.body.error.requestId).toBe(missing.headers.get("X-Request-Id"));
    const unknownPath = await h.call("GET", "/api/v1/no/such/path", { token });
    expect(unknownPath.body.error.requestId).toBe(unknownPath.headers.get("X-Request-Id"));

    const logged: Json[] = [];
    const logger = h.t.app.logger;
    h.t.app.logger = (await import("pino")).default(
      { level: "error" },
      { write: (line: string) => logged.push(JSON.parse(line) as Json) },
    );
    // A real fault: the broker accounts' table is gone.
    await h.t.store.client.execute("DROP TABLE broker_accounts");
    try {
      const failed = await h.call("GET", "/api/v1/broker-accounts", { token });
      expect(failed.status).toBe(500);
      const requestId = failed.headers.get("X-Request-Id");
      expect(failed.body.error).toMatchObject({ code: "internal", requestId });
      expect(failed.body.error.message).toContain(requestId);
      expect(logged).toEqual([expect.objectContaining({ requestId, msg: "API request failed" })]);
    } finally {
      h.t.app.logger = logger;
    }
  });
});
