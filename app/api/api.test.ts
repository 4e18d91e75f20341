// Contract tests of every /api/v1 operation through the real Remix build: success matches the documented schema,
// 401 without a token, 404 on another user's resource, 422 naming the field; rate limits; pagination.
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { eq } from "drizzle-orm";
import { newId } from "../../db/platform/ids";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { apiTokens, executions, strategies, subscriptions } from "../../db/store/schema";
import { insertStrategy, insertUser, SAMPLE_CODE } from "../../test/support/store";
import { createApiHarness, type ApiAnswer, type ApiHarness } from "../../test/api-harness";
import { openApiContract } from "../../test/openapi-contract";
import { apiErrorSchema } from "./errors.server";
import { OPERATIONS } from "./operations.server";
import { DEFAULT_USER_LIMITS } from "../../db/contracts/user-limits";
import { inOneRateWindow } from "../../test/support/rate-window";

let h: ApiHarness;
let alice: { id: string; token: string; paperBrokerId: string };
let bob: { id: string; token: string; paperBrokerId: string };
let aliceStrategy: { id: string; slug: string; versionId: string };
let bobDraft: { id: string; slug: string; versionId: string };
let bobSubscriptionId: string;
let bobTokenId: string;
const changes: unknown[] = [];

async function user(name: string) {
  const u = await insertUser(h.t.store, name);
  const { token, id } = await createApiToken(h.t.store.db, u.id, "test");
  return { ...u, token, tokenId: id };
}

beforeAll(async () => {
  h = await createApiHarness();
  const a = await user("alice");
  const b = await user("bob");
  alice = a;
  bob = b;
  bobTokenId = b.tokenId;
  aliceStrategy = await insertStrategy(h.t.store, a.id, { slug: "alice-trend", resolution: "1h" });
  bobDraft = await insertStrategy(h.t.store, b.id, { slug: "bob-draft", resolution: "1h" });
  await h.t.store.db.update(strategies).set({ visibility: "draft" }).where(eq(strategies.id, bobDraft.id));
  const sub = await h.call("POST", "/api/v1/subscriptions", {
    token: bob.token,
    body: { strategyId: aliceStrategy.slug },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  bobSubscriptionId = sub.body.id;
  await h.t.app.infra.bus.subscribe(CHANNELS.subscriptionChanged, (m) => changes.push(m));
  documented = openApiContract((await h.call("GET", "/api/v1/openapi.json")).body);
});
afterAll(async () => {
  await h.t.close();
});

const opById = (id: string) => {
  const op = OPERATIONS.find((o) => o.operationId === id);
  if (!op) throw new Error(`no operation ${id}`);
  return op;
};

let documented: ReturnType<typeof openApiContract>;

/** The answer is what the served document says for this operation and status: body and headers. */
function expectDocumented(operationId: string, answer: ApiAnswer) {
  expect(
    documented(operationId, answer),
    `${operationId} ${answer.status}: ${JSON.stringify(answer.body)}`,
  ).toEqual([]);
}

interface Case {
  /** Path and body of a successful call (as alice unless `as`). */
  ok: () => { path: string; body?: unknown; as?: "alice" | "bob"; status: number };
  /** A path naming another user's resource (404). */
  other?: () => { path: string; body?: unknown };
  /** An invalid input and the field the 422 must name. */
  invalid?: () => { path: string; body?: unknown; field: string };
}

let versionId = "";
let validationId = "";
let backtestId = "";
let createdTokenId = "";
let newStrategyId = "";

/** Every operation's contract, in an order where each success prepares the next. */
const CASES: Record<string, Case> = {
  getOpenApi: { ok: () => ({ path: "/api/v1/openapi.json", status: 200 }) },
  getMe: { ok: () => ({ path: "/api/v1/me", status: 200 }) },
  listTokens: { ok: () => ({ path: "/api/v1/tokens", status: 200 }) },
  createToken: {
    ok: () => ({ path: "/api/v1/tokens", body: { name: "ci" }, status: 201 }),
    invalid: () => ({ path: "/api/v1/tokens", body: { name: "" }, field: "name" }),
  },
  revokeToken: {
    ok: () => ({ path: `/api/v1/tokens/${createdTokenId}`, status: 200 }),
    other: () => ({ path: `/api/v1/tokens/${bobTokenId}` }),
  },
  listStrategies: {
    ok: () => ({ path: "/api/v1/strategies?scope=public&limit=5", status: 200 }),
    invalid: () => ({ path: "/api/v1/strategies?scope=everyone", field: "scope" }),
  },
  createStrategy: {
    ok: () => ({
      path: "/api/v1/strategies",
      body: { name: "Mean Revert", slug: "mean-revert", tags: ["mean-reversion"], description: "Buys dips." },
      status: 201,
    }),
    invalid: () => ({
      path: "/api/v1/strategies",
      body: { name: "Fine name", slug: "Bad Slug!" },
      field: "slug",
    }),
  },
  getStrategy: {
    ok: () => ({ path: `/api/v1/strategies/${newStrategyId}`, status: 200 }),
    other: () => ({ path: `/api/v1/strategies/${bobDraft.id}` }),
  },
  updateStrategy: {
    ok: () => ({ path: `/api/v1/strategies/${newStrategyId}`, body: { visibility: "public" }, status: 200 }),
    other: () => ({ path: `/api/v1/strategies/${bobDraft.slug}`, body: { name: "Mine now" } }),
    invalid: () => ({
      path: `/api/v1/strategies/${newStrategyId}`,
      body: { tags: ["ok", "not ok!"] },
      field: "tags.1",
    }),
  },
  publishVersion: {
    ok: () => ({
      path: `/api/v1/strategies/${newStrategyId}/versions`,
      body: {
        version: "1.0.0",
        code: SAMPLE_CODE,
        symbols: ["BTC/USDT"],
        resolution: "1h",
        lookback: 50,
        changelog: "First.",
      },
      status: 201,
    }),
    other: () => ({
      path: `/api/v1/strategies/${bobDraft.id}/versions`,
      body: { version: "9.0.0", code: SAMPLE_CODE, symbols: ["BTC/USDT"], resolution: "1h", lookback: 50 },
    }),
    invalid: () => ({
      path: `/api/v1/strategies/${newStrategyId}/versions`,
      body: { version: "1.1", code: SAMPLE_CODE, symbols: ["BTC/USDT"], resolution: "1h", lookback: 50 },
      field: "version",
    }),
  },
  listVersions: {
    ok: () => ({ path: `/api/v1/strategies/${newStrategyId}/versions`, status: 200 }),
    other: () => ({ path: `/api/v1/strategies/${bobDraft.id}/versions` }),
  },
  getVersion: {
    ok: () => ({ path: `/api/v1/strategies/${newStrategyId}/versions/${versionId}`, status: 200 }),
    other: () => ({ path: `/api/v1/strategies/${bobDraft.id}/versions/${bobDraft.versionId}` }),
  },
  setVersionStatus: {
    ok: () => ({
      path: `/api/v1/strategies/${aliceStrategy.id}/versions/${aliceStrategy.versionId}`,
      body: { status: "published" },
      status: 200,
    }),
    other: () => ({
      path: `/api/v1/strategies/${bobDraft.id}/versions/${bobDraft.versionId}`,
      body: { status: "deprecated" },
    }),
    invalid: () => ({
      path: `/api/v1/strategies/${aliceStrategy.id}/versions/${aliceStrategy.versionId}`,
      body: { status: "gone" },
      field: "status",
    }),
  },
  validateStrategy: {
    ok: () => ({ path: "/api/v1/validate", body: { code: SAMPLE_CODE }, status: 200 }),
    invalid: () => ({ path: "/api/v1/validate", body: { code: "" }, field: "code" }),
  },
  getValidation: {
    ok: () => ({ path: `/api/v1/validations/${validationId}`, status: 200 }),
    other: () => ({ path: `/api/v1/validations/${validationId}`, as: "bob" }) as never,
    invalid: () => ({ path: `/api/v1/validations/${validationId}?wait=60`, field: "wait" }),
  },
  startBacktest: {
    ok: () => ({
      path: `/api/v1/strategies/${aliceStrategy.id}/backtests`,
      body: { symbol: "BTC/USDT", from: "2024-12-01", to: "2024-12-15" },
      status: 202,
    }),
    other: () => ({
      path: `/api/v1/strategies/${bobDraft.id}/backtests`,
      body: { symbol: "BTC/USDT", from: "2024-12-01", to: "2024-12-15" },
    }),
    invalid: () => ({
      path: `/api/v1/strategies/${aliceStrategy.id}/backtests`,
      body: { symbol: "ETH/USDT", from: "2024-12-01", to: "2024-12-15" },
      field: "symbol",
    }),
  },
  getBacktest: {
    ok: () => ({ path: `/api/v1/backtests/${backtestId}`, status: 200 }),
    other: () => ({ path: `/api/v1/backtests/${backtestId}`, as: "bob" }) as never,
  },
  listBacktests: {
    ok: () => ({ path: `/api/v1/backtests?strategyId=${aliceStrategy.id}`, status: 200 }),
    invalid: () => ({ path: "/api/v1/backtests?limit=1000", field: "limit" }),
  },
  getBacktestResult: {
    ok: () => ({ path: `/api/v1/backtests/${backtestId}/result`, status: 200 }),
    other: () => ({ path: `/api/v1/backtests/${backtestId}/result`, as: "bob" }) as never,
  },
  listExecutions: {
    ok: () => ({ path: "/api/v1/executions", status: 200 }),
    invalid: () => ({ path: "/api/v1/executions?cursor=not-a-cursor", field: "cursor" }),
  },
  listBrokerAccounts: { ok: () => ({ path: "/api/v1/broker-accounts", status: 200 }) },
  listSubscriptions: {
    ok: () => ({ path: "/api/v1/subscriptions", status: 200 }),
    invalid: () => ({ path: "/api/v1/subscriptions?limit=0", field: "limit" }),
  },
  createSubscription: {
    ok: () => ({
      path: "/api/v1/subscriptions",
      body: { strategyId: aliceStrategy.id, capital: 5000, riskPerTrade: 0.5 },
      status: 201,
    }),
    invalid: () => ({
      path: "/api/v1/subscriptions",
      body: { strategyId: aliceStrategy.id, leverage: 100 },
      field: "leverage",
    }),
  },
  getSubscription: {
    ok: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}`, as: "bob", status: 200 }),
    other: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}` }),
  },
  updateSubscriptionSettings: {
    ok: () => ({
      path: `/api/v1/subscriptions/${bobSubscriptionId}`,
      as: "bob",
      body: { capital: 2500 },
      status: 200,
    }),
    other: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}`, body: { capital: 2500 } }),
    invalid: () =>
      ({
        path: `/api/v1/subscriptions/${bobSubscriptionId}`,
        as: "bob",
        body: { maxOpenPositions: 2.5 },
        field: "maxOpenPositions",
      }) as never,
  },
  listSubscriptionTrades: {
    ok: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/trades`, as: "bob", status: 200 }),
    other: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/trades` }),
  },
  listTrades: { ok: () => ({ path: "/api/v1/trades", as: "bob", status: 200 }) },
  pauseSubscription: {
    ok: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/pause`, as: "bob", status: 200 }),
    other: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/pause` }),
  },
  resumeSubscription: {
    ok: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/resume`, as: "bob", status: 200 }),
    other: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/resume` }),
  },
  cancelSubscription: {
    ok: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/cancel`, as: "bob", status: 200 }),
    other: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/cancel` }),
  },
  closeAllSubscriptionPositions: {
    ok: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/close-all`, as: "bob", status: 202 }),
    other: () => ({ path: `/api/v1/subscriptions/${bobSubscriptionId}/close-all` }),
  },
  closeAllBrokerAccountPositions: {
    ok: () => ({ path: `/api/v1/broker-accounts/${bob.paperBrokerId}/close-all`, as: "bob", status: 202 }),
    other: () => ({ path: `/api/v1/broker-accounts/${bob.paperBrokerId}/close-all` }),
  },
};

const tokenOf = (as?: "alice" | "bob") => (as === "bob" ? bob.token : alice.token);

const POLL = { timeout: 20_000, interval: 100 };

describe("every operation", () => {
  it("has a contract case", () => {
    expect(Object.keys(CASES).sort()).toEqual(OPERATIONS.map((o) => o.operationId).sort());
  });

  it.each(Object.keys(CASES))(
    "%s: succeeds as documented, 404s another user's resource, 422s bad input naming the field",
    async (id) => {
      const op = opById(id);
      const c = CASES[id];
      const ok = c.ok();
      const answer = await h.call(op.method, ok.path, { token: tokenOf(ok.as), body: ok.body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(ok.status);
      expectDocumented(id, answer);

      if (id === "createToken") createdTokenId = answer.body.id;
      if (id === "createStrategy") newStrategyId = answer.body.id;
      if (id === "publishVersion") versionId = answer.body.id;
      if (id === "validateStrategy") validationId = answer.body.id;
      if (id === "startBacktest") {
        backtestId = answer.body.id;
        await vi.waitFor(async () => {
          const polled = await h.call("GET", answer.body.poll, { token: alice.token });
          expectDocumented("getBacktest", polled);
          expect(polled.body.status).toBe("completed");
        }, POLL);
      }

      if (c.other) {
        const other = c.other() as { path: string; body?: unknown; as?: "alice" | "bob" };
        const denied = await h.call(op.method, other.path, {
          token: tokenOf(other.as ?? "alice"),
          body: other.body,
        });
        expect(denied.status, JSON.stringify(denied.body)).toBe(404);
        expect(denied.body.error.code).toBe("not_found");
        expectDocumented(id, denied);
      }
      if (c.invalid) {
        const bad = c.invalid() as { path: string; body?: unknown; field: string; as?: "alice" | "bob" };
        const refused = await h.call(op.method, bad.path, { token: tokenOf(bad.as), body: bad.body });
        expect(refused.status, JSON.stringify(refused.body)).toBe(422);
        expect(refused.body.error.code).toBe("validation_failed");
        expect(Object.keys(refused.body.error.fields)).toContain(bad.field);
        expectDocumented(id, refused);
      }
    },
  );

  it.each(OPERATIONS.filter((o) => !o.public).map((o) => [o.operationId, o.method, o.path] as const))(
    "%s: 401 without a token, with a revoked one, and with a made-up one",
    async (id, method, path) => {
      const concrete = `/api/v1${path.replace(/\{\w+\}/g, "x")}`;
      for (const token of [null, "cc_not-a-real-token", "garbage"]) {
        const answer = await h.call(method, concrete, { token });
        expect(answer.status).toBe(401);
        expect(apiErrorSchema.parse(answer.body).error.code).toBe("unauthorized");
        expect(answer.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
        expectDocumented(id, answer);
      }
    },
  );
});

describe("behaviour", () => {
  it("a revoked token stops working at once", async () => {
    const u = await user("carol");
    expect((await h.call("GET", "/api/v1/me", { token: u.token })).status).toBe(200);
    const revoked = await h.call("DELETE", `/api/v1/tokens/${u.tokenId}`, { token: u.token });
    expect(revoked.status).toBe(200);
    expect((await h.call("GET", "/api/v1/me", { token: u.token })).status).toBe(401);
    const row = await h.t.store.db.query.apiTokens.findFirst({ where: eq(apiTokens.id, u.tokenId) });
    expect(row!.tokenHash).not.toContain(u.token);
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a lookback below the strategy class's is a 422 naming lookback and the needed value", async () => {
    const code = SAMPLE_CODE.replace("lookback = 50", "lookback = 100");
    const body = { version: "7.0.0", code, symbols: ["BTC/USDT"], resolution: "1h", lookback: 50 };
    const path = `/api/v1/strategies/${aliceStrategy.id}/versions`;
    const refused = await h.call("POST", path, { token: alice.token, body });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields.lookback).toMatch(
      /^Lookback must be at least 100: the strategy class declares lookback = 100/,
    );
    expectDocumented("publishVersion", refused);
    const versions = await h.call("GET", path, { token: alice.token });
    expect(versions.body.items.map((v: { version: string }) => v.version)).not.toContain("7.0.0");
  });

  it("semver must increase: 409 naming the version", async () => {
    const answer = await h.call("POST", `/api/v1/strategies/${aliceStrategy.id}/versions`, {
      token: alice.token,
      body: { version: "1.0.0", code: SAMPLE_CODE, symbols: ["BTC/USDT"], resolution: "1h", lookback: 50 },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error.fields).toEqual({
      version: "Version must be greater than the latest published version 1.0.0",
    });
  });

  it("the latest version cannot be deprecated; an older one can, and then cannot be pinned", async () => {
    const latest = await h.call(
      "PATCH",
      `/api/v1/strategies/${aliceStrategy.id}/versions/${aliceStrategy.versionId}`,
      {
        token: alice.token,
        body: { status: "deprecated" },
      },
    );
    expect(latest.status).toBe(409);
    const next = await h.call("POST", `/api/v1/strategies/${aliceStrategy.id}/versions`, {
      token: alice.token,
      body: {
        version: "1.1.0",
        code: SAMPLE_CODE,
        symbols: ["BTC/USDT"],
        resolution: "1h",
        lookback: 50,
        changelog: "Faster.",
      },
    });
    expect(next.status).toBe(201);
    const old = await h.call(
      "PATCH",
      `/api/v1/strategies/${aliceStrategy.id}/versions/${aliceStrategy.versionId}`,
      {
        token: alice.token,
        body: { status: "deprecated" },
      },
    );
    expect(old.status).toBe(200);
    expect(old.body.status).toBe("deprecated");
    const pin = await h.call("POST", "/api/v1/subscriptions", {
      token: bob.token,
      body: { strategyId: aliceStrategy.id, pinnedVersionId: aliceStrategy.versionId },
    });
    expect(pin.status).toBe(422);
    expect(pin.body.error.fields).toHaveProperty("pinnedVersionId");
    const strategy = await h.call("GET", `/api/v1/strategies/${aliceStrategy.slug}`, { token: bob.token });
    expect(strategy.body).toMatchObject({ latestVersion: "1.1.0", mine: false });
  });

  it("someone else's public strategy can be read but not changed (403)", async () => {
    const answer = await h.call("PATCH", `/api/v1/strategies/${aliceStrategy.id}`, {
      token: bob.token,
      body: { name: "Taken over" },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("forbidden");
  });

  it("a slug that is taken is a 409 naming the slug", async () => {
    const answer = await h.call("POST", "/api/v1/strategies", {
      token: bob.token,
      body: { name: "Copy", slug: aliceStrategy.slug },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error.fields).toEqual({ slug: "This slug is already taken" });
  });

  it("validation reports the typed error of broken code within the wait", async () => {
    const answer = await h.call("POST", "/api/v1/validate", {
      token: alice.token,
      body: { code: "class Broken(:\n" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatchObject({ ok: false, error: { kind: "syntax" } });
  });

  it("validation with wait=0 answers 202 and the poll URL gets the result", async () => {
    const answer = await h.call("POST", "/api/v1/validate?wait=0", {
      token: alice.token,
      body: { code: SAMPLE_CODE },
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.get("Location")).toBe(answer.body.poll);
    expect(answer.body).toEqual({ id: expect.any(String), status: "pending", poll: answer.body.poll });
    expectDocumented("validateStrategy", answer);
    // 200 and 202 have one schema each: a pending answer is not a done one.
    expect(documented("validateStrategy", { ...answer, status: 200 })).not.toEqual([]);
    const done = await vi.waitFor(async () => {
      const polled = await h.call("GET", answer.body.poll, { token: alice.token });
      expect(polled.status).toBe(200);
      return polled;
    }, POLL);
    expectDocumented("getValidation", done);
    expect(done.body.result).toMatchObject({ ok: true, signal: { action: "hold" } });
  });

  it("a backtest result holds stats, the equity curve and trades; other users' backtests are not found", async () => {
    const result = await h.call("GET", `/api/v1/backtests/${backtestId}/result`, { token: alice.token });
    expect(result.body.stats).toMatchObject({ trades: expect.any(Number) });
    expect(result.body.equity.length).toBeGreaterThanOrEqual(2);
    expect(result.body.settings).toMatchObject({ capital: 1000, riskPerTrade: 1 });
  });

  it("subscription changes are published for the workers", () => {
    expect(changes).toEqual(
      expect.arrayContaining([
        { subscriptionId: bobSubscriptionId, strategyId: aliceStrategy.id, status: "paused" },
        { subscriptionId: bobSubscriptionId, strategyId: aliceStrategy.id, status: "cancelled" },
      ]),
    );
  });

  it("pausing a cancelled subscription is a 409", async () => {
    const answer = await h.call("POST", `/api/v1/subscriptions/${bobSubscriptionId}/pause`, {
      token: bob.token,
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toContain("cancelled");
  });

  it("changing the settings of a cancelled subscription is a 409 naming status and changes nothing", async () => {
    const before = await h.t.store.db.query.subscriptions.findFirst({
      where: eq(subscriptions.id, bobSubscriptionId),
    });
    const answer = await h.call("PATCH", `/api/v1/subscriptions/${bobSubscriptionId}`, {
      token: bob.token,
      body: { capital: 7777 },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error.fields).toEqual({ status: expect.stringContaining("cancelled") });
    const after = await h.t.store.db.query.subscriptions.findFirst({
      where: eq(subscriptions.id, bobSubscriptionId),
    });
    expect(after).toEqual(before);
  });

  it("settings answer in the units they are sent in (percent)", async () => {
    const live = await h.call("POST", "/api/v1/subscriptions", {
      token: bob.token,
      body: { strategyId: aliceStrategy.id, capital: 2500 },
    });
    const answer = await h.call("PATCH", `/api/v1/subscriptions/${live.body.id}`, {
      token: bob.token,
      body: { riskPerTrade: 2 },
    });
    expect(answer.body.settings).toMatchObject({ riskPerTrade: 2, capital: 2500 });
    const row = await h.t.store.db.query.subscriptions.findFirst({
      where: eq(subscriptions.id, live.body.id),
    });
    expect(row!.riskPerTrade).toBeCloseTo(0.02, 12);
  });

  it("pages through a list with opaque cursors, without repeats or gaps", async () => {
    const u = await user("dana");
    for (let i = 0; i < 7; i++) {
      await h.call("POST", "/api/v1/strategies", {
        token: u.token,
        body: { name: `Strategy ${i}`, slug: `dana-${i}` },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiAnswer = await h.call(
        "GET",
        `/api/v1/strategies?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        { token: u.token },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((s: { slug: string }) => s.slug));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["dana-6", "dana-5", "dana-4", "dana-3", "dana-2", "dana-1", "dana-0"]);
  });

  it("the execution log shows the author's executions with their logs, and only theirs", async () => {
    await h.t.store.db.insert(executions).values({
      id: newId(),
      strategyId: aliceStrategy.id,
      versionId: aliceStrategy.versionId,
      symbol: "BTC/USDT",
      resolution: "1h",
      closeTime: Date.UTC(2025, 0, 1),
      status: "FAILED",
      errorKind: "runtime",
      errorMessage: "ZeroDivisionError",
      log: "Traceback ...",
      subscriberCount: 3,
      startedAt: Date.now(),
      finishedAt: Date.now(),
      runMs: 12,
    });
    const mine = await h.call("GET", "/api/v1/executions", { token: alice.token });
    expectDocumented("listExecutions", mine);
    expect(mine.body.items[0]).toMatchObject({
      strategyName: `Strategy ${aliceStrategy.slug}`,
      status: "failed",
      errorKind: "runtime",
      log: "Traceback ...",
      subscriberCount: 3,
      version: "1.0.0",
    });
    const theirs = await h.call("GET", "/api/v1/executions", { token: bob.token });
    expect(theirs.body.items).toEqual([]);
  });

  it("answers errors in the one shape: bad JSON 400, wrong method 405, unknown path 404", async () => {
    const bad = await h.call("POST", "/api/v1/strategies", { token: alice.token, raw: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("bad_request");
    const method = await h.call("DELETE", "/api/v1/strategies", { token: alice.token });
    expect(method.status).toBe(405);
    expect(method.headers.get("Allow")).toBe("GET, POST");
    const unknown = await h.call("GET", "/api/v1/nothing/here", { token: alice.token });
    expect(unknown.status).toBe(404);
    expect(apiErrorSchema.parse(unknown.body).error.code).toBe("not_found");
  });

  it("limits each token to its rate and says when to retry", async () => {
    const u = await user("eve");
    await inOneRateWindow();
    let last: ApiAnswer | undefined;
    for (let i = 0; i < DEFAULT_USER_LIMITS.apiRequestsPerMinutePerToken; i++) {
      last = await h.call("GET", "/api/v1/me", { token: u.token });
      expect(last.status).toBe(200);
    }
    expect(last!.headers.get("X-RateLimit-Remaining")).toBe("0");
    const limited = await h.call("GET", "/api/v1/me", { token: u.token });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Another token of another user is not affected.
    expect((await h.call("GET", "/api/v1/me", { token: alice.token })).status).toBe(200);
  });
});
