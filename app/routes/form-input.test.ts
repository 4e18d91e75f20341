// Untrusted input through the HTML forms: bodies over the limit, not a form at all or broken answer a 4xx page
// through the real build (never a 500) without repeating the input; control characters are field errors.
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { BUILD_FILE } from "../../scripts/build-if-needed";
import { createTestApp, postRoute, signInAs, TEST_ORIGIN, type TestApp } from "../../test/app-context";
import { insertStrategy, insertUser, SAMPLE_CODE, storeSnapshot } from "../../test/support/store";
import { RISK_DEFAULTS_INPUT } from "../../db/contracts/validation/risk-settings";
import * as newStrategy from "./author.strategies.new";
import * as brokers from "./settings.brokers";
import * as signup from "./signup";
import * as subscribe from "./strategies.$slug_.subscribe";
import * as tokens from "./settings.tokens";

let t: TestApp;
let handle: (request: Request) => Promise<Response>;
let cookie: string;
let paperBrokerId: string;

beforeAll(async () => {
  t = await createTestApp();
  const build = (await import(pathToFileURL(BUILD_FILE).href)) as ServerBuild;
  const remix = createRequestHandler(build, "production");
  handle = (request) => remix(request, { app: t.app });
  const user = await insertUser(t.store, "former");
  paperBrokerId = user.paperBrokerId;
  cookie = await signInAs(t, user.id);
  await insertStrategy(t.store, user.id, { slug: "form-target", resolution: "1h" });
});
afterAll(async () => {
  await t.close();
});

const formPost = (path: string, body: BodyInit, headers: Record<string, string>) =>
  new Request(`${TEST_ORIGIN}${path}`, {
    method: "POST",
    body,
    headers: { Origin: TEST_ORIGIN, Host: new URL(TEST_ORIGIN).host, ...headers },
    duplex: "half",
  } as RequestInit);

/** A body of `total` bytes of one form field, produced only as it is read; `pulled()` says how much was. */
function chunkedField(total: number) {
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= total) return controller.close();
        const chunk = new TextEncoder().encode(
          produced === 0 ? "email=a%40b.c&name=" : "x".repeat(64 * 1024),
        );
        produced += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => produced };
}

describe("bodies a form route refuses, as pages", () => {
  it.each([
    ["/login", "application/json", '{"email":"a@b.c","password":"x"}', 415],
    ["/signup", "text/plain", "email=a@b.c", 415],
    [
      "/signup",
      "multipart/form-data; boundary=zz",
      '--zz\r\nContent-Disposition: form-data; name="email"\r\n\r\nx',
      400,
    ],
    ["/login", "multipart/form-data", "no boundary at all", 400],
  ])("POST %s as %s answers %s with a page saying why", async (path, type, body, status) => {
    const before = await storeSnapshot(t.store);
    const response = await handle(formPost(path, body, { "Content-Type": type }));
    const html = await response.text();
    expect(response.status, html.slice(0, 3000)).toBe(status);
    expect(html).toContain("The request was refused");
    expect(html).not.toContain("Something went wrong");
    expect(await storeSnapshot(t.store)).toBe(before);
  });

  it("a 5 MB field is a 413 page that does not repeat it", async () => {
    const before = await storeSnapshot(t.store);
    const field = "y".repeat(5 * 1024 * 1024);
    const response = await handle(
      formPost(
        "/signup",
        new URLSearchParams({ email: "big@b.c", name: field, password: "long enough to pass" }),
        {},
      ),
    );
    expect(response.status).toBe(413);
    const html = await response.text();
    expect(html).toContain("The form is too large: it must be at most 64 KiB.");
    expect(html).not.toContain("y".repeat(100));
    expect(html.length).toBeLessThan(64 * 1024);
    expect(await storeSnapshot(t.store)).toBe(before);
  });

  it("a chunked form body is refused once it passes the limit, not read whole", async () => {
    const body = chunkedField(8 * 1024 * 1024);
    const response = await handle(
      formPost("/login", body.stream, { "Content-Type": "application/x-www-form-urlencoded" }),
    );
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(64 * 1024 + 128 * 1024);
  });

  it("the author form takes a large version but echoes no field past its maximum", async () => {
    const response = await postRoute(t, newStrategy, "/author/strategies/new", cookie, {
      name: "Big",
      slug: "big-one",
      description: "d".repeat(300_000),
      version: "1.0.0",
      code: SAMPLE_CODE,
      symbols: "BTC/USDT",
      resolution: "1h",
      lookback: "50",
    });
    expect(response.status).toBe(400);
    const data = await response.json();
    expect(data.errors.description).toBe("Description must be at most 5000 characters");
    expect(data.values.description.length).toBe(5000);
  });
});

describe("control characters in the forms", () => {
  const VERSION_FORM = {
    name: "Clean",
    slug: "clean-form",
    description: "Fine.",
    tags: "trend",
    visibility: "public",
    version: "1.0.0",
    code: SAMPLE_CODE,
    symbols: "BTC/USDT",
    resolution: "1h",
    lookback: "50",
    params: '{"fast": 10}',
    changelog: "First.",
  };
  type Route = Parameters<typeof postRoute>[1];
  const FORMS: Array<
    [string, Route, string, () => Record<string, string>, string[], Record<string, string>?]
  > = [
    [
      "sign-up",
      signup,
      "/signup",
      () => ({ email: "c@b.c", name: "Ann", password: "long enough to pass" }),
      ["name", "password"],
    ],
    ["API tokens", tokens, "/settings/tokens", () => ({ name: "ci" }), ["name"]],
    [
      "broker accounts",
      brokers,
      "/settings/brokers",
      () => ({
        kind: "exchange",
        name: "Main",
        exchange: "binance",
        apiKey: "k".repeat(16),
        secret: "s".repeat(16),
      }),
      ["name", "apiKey", "secret"],
    ],
    [
      "subscribe",
      subscribe,
      "/strategies/form-target/subscribe",
      () => ({
        ...Object.fromEntries(Object.entries(RISK_DEFAULTS_INPUT).map(([k, v]) => [k, String(v)])),
        brokerAccountId: paperBrokerId,
      }),
      ["brokerAccountId", "pinnedVersionId"],
      { slug: "form-target" },
    ],
    [
      "new strategy",
      newStrategy,
      "/author/strategies/new",
      () => ({ ...VERSION_FORM }),
      ["name", "slug", "description", "version", "code", "changelog", "params"],
    ],
  ];
  const cases = FORMS.flatMap(([form, route, path, valid, fields, params]) =>
    fields.flatMap((field) =>
      ["\u0000", "\u001b"].map(
        (ch) =>
          [
            `${form} ${field} with U+${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
            route,
            path,
            valid,
            field,
            ch,
            params,
          ] as const,
      ),
    ),
  );

  it.each(cases)(
    "%s: a field error, nothing stored",
    async (_name, route, path, valid, field, ch, params) => {
      const form = valid();
      const text = form[field] ?? "v1";
      const middle = Math.max(1, Math.floor(text.length / 2));
      // Params are JSON typed into a field: the control character arrives escaped, as JSON allows.
      form[field] =
        field === "params"
          ? `{"fa${JSON.stringify(ch).slice(1, -1)}st": 1}`
          : text.slice(0, middle) + ch + text.slice(middle);
      const before = await storeSnapshot(t.store);
      const response = await postRoute(t, route, path, cookie, form, params ?? {});
      expect(response.status).toBe(400);
      const data = await response.json();
      expect(data.errors[field]).toMatch(/must not contain control characters/);
      expect(await storeSnapshot(t.store)).toBe(before);
    },
  );
});
