// Untrusted input at the API's edge: control characters in every text field of every operation (422 naming
// the field, nothing stored), unknown fields (422 naming them), wrong media types (415), body limits (413,
// a chunked body read no further than the limit).
import { eq } from "drizzle-orm";
import { createApiToken, revokeApiToken } from "../../db/store/queries/api-tokens";
import { subscriptions } from "../../db/store/schema";
import { insertStrategy, insertUser, SAMPLE_CODE, storeSnapshot } from "../../test/support/store";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { MAX_BODY_BYTES } from "./parse.server";

let h: ApiHarness;
let authorId: string;
let token: string;
let strategy: { id: string; slug: string; versionId: string };
let subscriptionId: string;

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  const author = await insertUser(h.t.store, "author");
  authorId = author.id;
  token = (await createApiToken(h.t.store.db, author.id, "test")).token;
  strategy = await insertStrategy(h.t.store, author.id, { slug: "hygiene", resolution: "1h" });
  const created = await h.call("POST", "/api/v1/subscriptions", { token, body: { strategyId: strategy.id } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  subscriptionId = created.body.id;
});
afterAll(async () => {
  await h.t.close();
});

const VERSION = {
  version: "2.0.0",
  code: SAMPLE_CODE,
  symbols: ["BTC/USDT"],
  resolution: "1h",
  lookback: 50,
  params: { fast: 10, mode: "close" },
  changelog: "Second.",
};

interface TextCase {
  name: string;
  method: string;
  path: () => string;
  /** A valid body (none: the text goes at the end of the path, a query parameter). */
  body?: () => Record<string, unknown>;
  /** A valid text for the field, to spoil with a control character, and where it goes in the body. */
  valid: () => string;
  set?: (body: Record<string, unknown>, text: string) => void;
  field: string;
}

/** One case per top-level text field of an operation's body. */
function bodyFields(
  op: string,
  method: string,
  path: () => string,
  body: () => Record<string, unknown>,
  fields: Record<string, () => string>,
): TextCase[] {
  return Object.entries(fields).map(([field, valid]) => ({
    name: `${op} ${field}`,
    method,
    path,
    body,
    valid,
    field,
  }));
}

const versionsPath = () => `/api/v1/strategies/${strategy.id}/versions`;
const validatePath = () => "/api/v1/validate?wait=0";
const withCode = () => ({ code: SAMPLE_CODE });

/** Every text field of every operation that takes text. */
const TEXT_FIELDS: TextCase[] = [
  ...bodyFields(
    "createToken",
    "POST",
    () => "/api/v1/tokens",
    () => ({}),
    { name: () => "ci token" },
  ),
  ...bodyFields(
    "createStrategy",
    "POST",
    () => "/api/v1/strategies",
    () => ({ name: "Clean name", slug: "clean-slug" }),
    {
      name: () => "Clean name",
      slug: () => "clean-slug",
      description: () => "Fine.",
    },
  ),
  ...bodyFields(
    "updateStrategy",
    "PATCH",
    () => `/api/v1/strategies/${strategy.id}`,
    () => ({}),
    {
      name: () => "Renamed strategy",
      description: () => "Renamed.",
    },
  ),
  ...bodyFields("publishVersion", "POST", versionsPath, () => ({ ...VERSION }), {
    version: () => VERSION.version,
    code: () => VERSION.code,
    changelog: () => VERSION.changelog,
  }),
  ...bodyFields("validateStrategy", "POST", validatePath, withCode, {
    code: () => SAMPLE_CODE,
    symbol: () => "BTC/USDT",
  }),
  ...bodyFields(
    "startBacktest",
    "POST",
    () => `/api/v1/strategies/${strategy.id}/backtests`,
    () => ({ symbol: "BTC/USDT", from: "2024-12-01", to: "2024-12-15" }),
    { symbol: () => "BTC/USDT", versionId: () => strategy.versionId, from: () => "2024-12-01" },
  ),
  ...bodyFields(
    "createSubscription",
    "POST",
    () => "/api/v1/subscriptions",
    () => ({ strategyId: strategy.id }),
    {
      strategyId: () => strategy.slug,
      brokerAccountId: () => "paper-account",
      pinnedVersionId: () => strategy.versionId,
    },
  ),
  ...bodyFields(
    "setVersionStatus",
    "PATCH",
    () => `/api/v1/strategies/${strategy.id}/versions/${strategy.versionId}`,
    () => ({}),
    { status: () => "published" },
  ),
  // Text inside lists and records, and in query parameters.
  ...[
    [
      "createStrategy tags",
      () => "/api/v1/strategies",
      () => ({ name: "Clean", slug: "clean" }),
      "tags.1",
      "momentum",
      (b: Record<string, unknown>, t: string) => (b.tags = ["trend", t]),
    ],
    [
      "publishVersion symbols",
      versionsPath,
      () => ({ ...VERSION }),
      "symbols.0",
      "ETH/USDT",
      (b: Record<string, unknown>, t: string) => (b.symbols = [t]),
    ],
    [
      "publishVersion params key",
      versionsPath,
      () => ({ ...VERSION }),
      "params",
      "slow",
      (b: Record<string, unknown>, t: string) => (b.params = { [t]: 1 }),
    ],
    [
      "publishVersion params value",
      versionsPath,
      () => ({ ...VERSION }),
      "params",
      "close",
      (b: Record<string, unknown>, t: string) => (b.params = { mode: t }),
    ],
    [
      "validateStrategy params key",
      validatePath,
      withCode,
      "params",
      "fast",
      (b: Record<string, unknown>, t: string) => (b.params = { [t]: 1 }),
    ],
    [
      "validateStrategy params value",
      validatePath,
      withCode,
      "params",
      "ten",
      (b: Record<string, unknown>, t: string) => (b.params = { fast: t }),
    ],
  ].map(
    ([name, path, body, field, valid, set]) =>
      ({ name, method: "POST", path, body, field, valid: () => valid, set }) as TextCase,
  ),
  ...["executions", "backtests"].map((list) => ({
    name: `list ${list} strategyId (query)`,
    method: "GET",
    path: () => `/api/v1/${list}?strategyId=`,
    valid: () => strategy.id,
    field: "strategyId",
  })),
];

/** NUL, BEL, ESC, DEL and a C1 control, each in the middle of a valid text; single-line text also refuses tab and newline. */
const CONTROLS = ["\u0000", "\u0007", "\u001b", "\u007f", "\u009b"];
const LINE_BREAKS = ["\t", "\n", "\r"];
const MULTILINE = new Set(["code", "description", "changelog"]);

const cases = TEXT_FIELDS.flatMap((c) =>
  [...CONTROLS, ...(MULTILINE.has(c.field) ? [] : LINE_BREAKS)].map(
    (ch) => [`${c.name} with U+${ch.charCodeAt(0).toString(16).padStart(4, "0")}`, c, ch] as const,
  ),
);

async function send(c: TextCase, text: string, as: string) {
  if (!c.body) {
    return h.call(c.method, `${c.path()}${encodeURIComponent(text)}`, { token: as });
  }
  const body = c.body();
  if (c.set) c.set(body, text);
  else body[c.field] = text;
  return h.call(c.method, c.path(), { token: as, body });
}

describe("control characters", () => {
  it.each(cases)("%s: 422 naming the field, nothing stored", async (_name, c, ch) => {
    // A token per case (revoked after it, live tokens are capped): the cases together send more than
    // one token's rate limit.
    const { token: own, id } = await createApiToken(h.t.store.db, authorId, "case");
    try {
      const before = await storeSnapshot(h.t.store);
      const valid = c.valid();
      const middle = Math.max(1, Math.floor(valid.length / 2));
      const answer = await send(c, valid.slice(0, middle) + ch + valid.slice(middle), own);
      expect(answer.status, JSON.stringify(answer.body)).toBe(422);
      expect(answer.body.error.code).toBe("validation_failed");
      expect(Object.keys(answer.body.error.fields)).toContain(c.field);
      expect(await storeSnapshot(h.t.store)).toBe(before);
    } finally {
      await revokeApiToken(h.t.store.db, authorId, id);
    }
  });

  it("a leading NUL is refused, not stored as an empty name", async () => {
    const before = await storeSnapshot(h.t.store);
    const answer = await h.call("POST", "/api/v1/strategies", {
      token,
      body: { name: "\u0000abcdef", slug: "leading-nul" },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.fields.name).toBe("Name must not contain control characters");
    expect(await storeSnapshot(h.t.store)).toBe(before);
  });

  it("multi-line text keeps its tabs and line breaks", async () => {
    const description = "Line one\r\n\tindented line two";
    const answer = await h.call("POST", "/api/v1/strategies", {
      token,
      body: { name: "Multi line", slug: "multi-line", description },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.description).toBe(description);
  });
});

describe("unknown fields", () => {
  it("a misspelt PATCH field is a 422 naming it and changes nothing", async () => {
    const before = await h.t.store.db.query.subscriptions.findFirst({
      where: eq(subscriptions.id, subscriptionId),
    });
    const answer = await h.call("PATCH", `/api/v1/subscriptions/${subscriptionId}`, {
      token,
      body: { levrage: 2, capital: 3000 },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.fields).toEqual({ levrage: expect.stringContaining("Unknown field") });
    expect(answer.body.error.fields.levrage).toContain("leverage");
    const after = await h.t.store.db.query.subscriptions.findFirst({
      where: eq(subscriptions.id, subscriptionId),
    });
    expect(after).toEqual(before);
  });

  it.each([
    ["POST", "/api/v1/strategies", { name: "Extra", slug: "extra", colour: "red" }, "colour"],
    ["POST", "/api/v1/tokens", { name: "ci", scope: "all" }, "scope"],
    ["POST", "/api/v1/validate?wait=0", { code: SAMPLE_CODE, timeout: 9 }, "timeout"],
    ["POST", "/api/v1/subscriptions", { strategyId: "hygiene", riskPerTrades: 2 }, "riskPerTrades"],
  ])("%s %s with an unknown field is a 422 naming it", async (method, path, body, unknown) => {
    const before = await storeSnapshot(h.t.store);
    const answer = await h.call(method, path, { token, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(422);
    expect(Object.keys(answer.body.error.fields)).toEqual([unknown]);
    expect(await storeSnapshot(h.t.store)).toBe(before);
  });
});

describe("media types", () => {
  const json = JSON.stringify({ name: "Typed", slug: "typed-one" });

  it.each([
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/json",
  ])("a JSON body sent as %s is a 415", async (type) => {
    const answer = await h.call("POST", "/api/v1/strategies", {
      token,
      raw: json,
      headers: { "Content-Type": type },
    });
    expect(answer.status).toBe(415);
    expect(answer.body.error).toMatchObject({ code: "unsupported_media_type" });
    expect(answer.body.error.message).toContain("application/json");
  });

  it("a body without a Content-Type is a 415; no body at all reads as {}", async () => {
    const untyped = await h.call("POST", "/api/v1/strategies", {
      token,
      raw: new Blob([json]).stream(),
      headers: { "Content-Type": "" },
    });
    expect(untyped.status).toBe(415);
    const empty = await h.call("POST", "/api/v1/subscriptions", { token });
    expect(empty.status).toBe(422);
    expect(empty.body.error.fields).toHaveProperty("strategyId");
  });

  it("application/json with a charset, and +json types, are accepted", async () => {
    for (const [type, slug] of [
      ["application/json; charset=utf-8", "typed-charset"],
      ["application/merge-patch+json", "typed-plus"],
    ]) {
      const answer = await h.call("POST", "/api/v1/strategies", {
        token,
        raw: JSON.stringify({ name: "Typed", slug }),
        headers: { "Content-Type": type },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    }
  });
});

describe("body size", () => {
  /** A chunked body (no Content-Length) of `total` bytes, produced only as it is read. */
  function chunkedJson(total: number) {
    let produced = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (produced >= total) return controller.close();
          const chunk = new TextEncoder().encode(produced === 0 ? '{"name":"' : "a".repeat(64 * 1024));
          produced += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, pulled: () => produced };
  }

  it("a chunked body over the limit is a 413 before it is read whole", async () => {
    const before = await storeSnapshot(h.t.store);
    const body = chunkedJson(8 * 1024 * 1024);
    const answer = await h.call("POST", "/api/v1/strategies", { token, raw: body.stream });
    expect(answer.status).toBe(413);
    expect(answer.body.error).toEqual({
      code: "payload_too_large",
      message: "The body must be at most 512 KiB",
      requestId: answer.headers.get("X-Request-Id"),
    });
    expect(body.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 128 * 1024);
    expect(await storeSnapshot(h.t.store)).toBe(before);
  });

  it("a declared Content-Length over the limit is a 413 unread", async () => {
    const body = chunkedJson(MAX_BODY_BYTES + 1);
    const answer = await h.call("POST", "/api/v1/strategies", {
      token,
      raw: body.stream,
      headers: { "Content-Type": "application/json", "Content-Length": String(MAX_BODY_BYTES + 1) },
    });
    expect(answer.status).toBe(413);
    expect(body.pulled()).toBe(0);
  });
});
