// The author pages, tokens page and backtest page through their loaders and actions: field errors write nothing, tenancy 404s.
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { eq } from "drizzle-orm";
import { createTestApp, loadRoute, postRoute, signInAs, type TestApp } from "../../test/app-context";
import { apiTokens, backtests, strategies, strategyVersions } from "../../db/store/schema";
import { insertStrategy, insertUser, SAMPLE_CODE } from "../../test/support/store";
import { newId } from "../../db/platform/ids";
import { strategySettingsKey } from "../../db/contracts/cache-keys";
import * as newStrategy from "./author.strategies.new";
import * as workspace from "./author.strategies.$id";
import * as mine from "./author.strategies._index";
import * as executionLog from "./author.executions";
import * as tokens from "./settings.tokens";
import * as backtest from "./strategies.$slug_.backtest";

type Route = Parameters<typeof loadRoute>[1];
let t: TestApp;
let alice: { id: string; cookie: string };
let bob: { id: string; cookie: string };
let bobDraft: { id: string; slug: string; versionId: string };

const load = (route: Route, path: string, cookie: string, params: Record<string, string> = {}) =>
  loadRoute(t, route, path, cookie, params);
const post = (
  route: Route,
  path: string,
  cookie: string,
  form: Record<string, string>,
  params: Record<string, string> = {},
) => postRoute(t, route, path, cookie, form, params);

const META = {
  name: "Range Breakout",
  slug: "range-breakout",
  description: "",
  tags: "breakout",
  visibility: "public",
};
const VERSION = {
  version: "1.0.0",
  symbols: "BTC/USDT",
  resolution: "1h",
  lookback: "50",
  params: "",
  changelog: "First.",
  code: SAMPLE_CODE,
};

beforeAll(async () => {
  t = await createTestApp();
  const a = await insertUser(t.store, "alice");
  const b = await insertUser(t.store, "bob");
  alice = { id: a.id, cookie: await signInAs(t, a.id) };
  bob = { id: b.id, cookie: await signInAs(t, b.id) };
  bobDraft = await insertStrategy(t.store, b.id, { slug: "bob-draft", resolution: "1h" });
  await t.store.db.update(strategies).set({ visibility: "draft" }).where(eq(strategies.id, bobDraft.id));
});
afterAll(async () => {
  await t.close();
});

const count = async () => (await t.store.db.select().from(strategies)).length;

describe("new strategy", () => {
  it("sends an anonymous visitor to log in", async () => {
    const res = await load(newStrategy, "/author/strategies/new", "");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  it("names every bad field and writes nothing", async () => {
    const before = await count();
    const res = await post(newStrategy, "/author/strategies/new", alice.cookie, {
      ...META,
      ...VERSION,
      slug: "Bad Slug!",
      version: "1.0",
      lookback: "5",
      params: "{not json",
      intent: "publish",
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(Object.keys(body.errors).sort()).toEqual(["lookback", "params", "slug", "version"]);
    expect(body.values.code).toBe(SAMPLE_CODE);
    expect(await count()).toBe(before);
  });

  it("refuses a lookback below the strategy class's, saying which is needed", async () => {
    const before = await count();
    const res = await post(newStrategy, "/author/strategies/new", alice.cookie, {
      ...META,
      ...VERSION,
      slug: "short-window",
      code: SAMPLE_CODE.replace("lookback = 50", "lookback = 200"),
      intent: "publish",
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual({
      lookback:
        "Lookback must be at least 200: the strategy class declares lookback = 200 (a smaller window would hold every run as warm-up)",
    });
    expect(await count()).toBe(before);
  });

  it("creates the strategy with its first version and opens its workspace", async () => {
    const res = await post(newStrategy, "/author/strategies/new", alice.cookie, {
      ...META,
      ...VERSION,
      intent: "publish",
    });
    expect(res.status).toBe(302);
    const [, id] = /^\/author\/strategies\/([0-9a-f-]{36})\?published=1\.0\.0$/.exec(
      res.headers.get("Location")!,
    )!;
    const versions = await t.store.db
      .select()
      .from(strategyVersions)
      .where(eq(strategyVersions.strategyId, id));
    expect(versions).toMatchObject([
      { version: "1.0.0", code: SAMPLE_CODE, lookback: 50, changelog: "First." },
    ]);
    const again = await post(newStrategy, "/author/strategies/new", alice.cookie, {
      ...META,
      ...VERSION,
      intent: "publish",
    });
    expect(again.status).toBe(400);
    expect((await again.json()).errors).toEqual({ slug: "This slug is already taken" });
  });

  it("says so when no worker queue is reachable instead of failing", async () => {
    const res = await post(newStrategy, "/author/strategies/new", alice.cookie, {
      ...META,
      ...VERSION,
      intent: "validate",
    });
    expect(res.status).toBe(200);
    expect((await res.json()).view).toMatchObject({
      status: "unavailable",
      message: expect.stringContaining("No worker queue"),
    });
  });
});

describe("workspace", () => {
  let id: string;
  beforeAll(async () => {
    id = (await t.store.db.query.strategies.findFirst({ where: eq(strategies.slug, "range-breakout") }))!.id;
  });

  it("shows the author's strategy and 404s anyone else's", async () => {
    const res = await load(workspace, `/author/strategies/${id}`, alice.cookie, { id });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      strategy: { name: "Range Breakout" },
      latest: { version: "1.0.0", code: SAMPLE_CODE },
    });
    expect((await load(workspace, `/author/strategies/${id}`, bob.cookie, { id })).status).toBe(404);
    expect(
      (
        await post(
          workspace,
          `/author/strategies/${id}`,
          bob.cookie,
          { ...VERSION, version: "2.0.0", intent: "publish" },
          { id },
        )
      ).status,
    ).toBe(404);
  });

  it("refuses a version that does not increase, publishes one that does", async () => {
    const same = await post(
      workspace,
      `/author/strategies/${id}`,
      alice.cookie,
      { ...VERSION, intent: "publish" },
      { id },
    );
    expect(same.status).toBe(400);
    expect((await same.json()).errors).toEqual({
      version: "Version must be greater than the latest published version 1.0.0",
    });
    // The workers' cached settings of the old version are evicted and the workers are told.
    await t.context.app.infra.cache.set(strategySettingsKey(id), "stale settings");
    const announced: unknown[] = [];
    const stop = await t.context.app.infra.bus.subscribe(CHANNELS.strategyChanged, (m) => announced.push(m));
    const next = await post(
      workspace,
      `/author/strategies/${id}`,
      alice.cookie,
      { ...VERSION, version: "1.1.0", intent: "publish" },
      { id },
    );
    expect(next.status).toBe(302);
    expect(next.headers.get("Location")).toBe(`/author/strategies/${id}?published=1.1.0`);
    await vi.waitFor(() => expect(announced).toHaveLength(1));
    await stop();
    expect(await t.context.app.infra.cache.get(strategySettingsKey(id))).toBeNull();
    expect(announced).toEqual([{ strategyId: id }]);
  });

  it("deprecates an older version but not the latest", async () => {
    const versions = await t.store.db
      .select()
      .from(strategyVersions)
      .where(eq(strategyVersions.strategyId, id));
    const latest = versions.find((v) => v.version === "1.1.0")!;
    const older = versions.find((v) => v.version === "1.0.0")!;
    const refused = await post(
      workspace,
      `/author/strategies/${id}`,
      alice.cookie,
      { intent: "deprecate", versionId: latest.id },
      { id },
    );
    expect(refused.status).toBe(409);
    const done = await post(
      workspace,
      `/author/strategies/${id}`,
      alice.cookie,
      { intent: "deprecate", versionId: older.id },
      { id },
    );
    expect(done.status).toBe(200);
    const row = await t.store.db.query.strategyVersions.findFirst({
      where: eq(strategyVersions.id, older.id),
    });
    expect(row!.status).toBe("deprecated");
  });

  it("updates details with field errors for bad values", async () => {
    const bad = await post(
      workspace,
      `/author/strategies/${id}`,
      alice.cookie,
      { ...META, tags: "ok, not ok!", intent: "meta" },
      { id },
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toHaveProperty("tags.1");
    const ok = await post(
      workspace,
      `/author/strategies/${id}`,
      alice.cookie,
      { ...META, visibility: "draft", intent: "meta" },
      { id },
    );
    expect(ok.status).toBe(200);
    expect((await t.store.db.query.strategies.findFirst({ where: eq(strategies.id, id) }))!.visibility).toBe(
      "draft",
    );
  });

  it("lists only the author's strategies and executions", async () => {
    const list = await (await load(mine, "/author/strategies", alice.cookie)).json();
    expect(list.strategies.map((s: { slug: string }) => s.slug)).toEqual(["range-breakout"]);
    const log = await (
      await load(executionLog, `/author/executions?strategy=${bobDraft.id}&cursor=garbage`, alice.cookie)
    ).json();
    expect(log).toMatchObject({ strategyId: "", executions: [] });
  });
});

describe("API tokens page", () => {
  it("creates a token shown once, stores its hash, and revokes only the user's own", async () => {
    const bad = await post(tokens, "/settings/tokens", alice.cookie, { name: "", intent: "create" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual({ name: "Name is required" });
    const res = await post(tokens, "/settings/tokens", alice.cookie, { name: "ci", intent: "create" });
    const { created } = await res.json();
    expect(created.token).toMatch(/^cc_[A-Za-z0-9_-]{43}$/);
    const listed = await (await load(tokens, "/settings/tokens", alice.cookie)).json();
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(
      (await post(tokens, "/settings/tokens", bob.cookie, { intent: "revoke", tokenId: created.id })).status,
    ).toBe(404);
    await post(tokens, "/settings/tokens", alice.cookie, { intent: "revoke", tokenId: created.id });
    const row = await t.store.db.query.apiTokens.findFirst({ where: eq(apiTokens.id, created.id) });
    expect(row!.revokedAt).not.toBeNull();
  });
});

describe("backtest page", () => {
  it("404s another user's draft, and names a market the version does not trade", async () => {
    expect(
      (await load(backtest, "/strategies/bob-draft/backtest", alice.cookie, { slug: "bob-draft" })).status,
    ).toBe(404);
    const before = (await t.store.db.select().from(backtests)).length;
    const res = await post(
      backtest,
      "/strategies/bob-draft/backtest",
      bob.cookie,
      { symbol: "ETH/USDT", from: "2024-01-01", to: "2024-02-01" },
      { slug: "bob-draft" },
    );
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual({ symbol: "Symbol must be one of BTC/USDT" });
    const period = await post(
      backtest,
      "/strategies/bob-draft/backtest",
      bob.cookie,
      { symbol: "BTC/USDT", from: "2024-02-01", to: "2024-01-01" },
      { slug: "bob-draft" },
    );
    expect((await period.json()).errors).toEqual({ to: "To must be after From" });
    expect((await t.store.db.select().from(backtests)).length).toBe(before);
  });

  it("queues a backtest and shows it; without a queue it says so and writes nothing", async () => {
    const unavailable = await post(
      backtest,
      "/strategies/bob-draft/backtest",
      bob.cookie,
      { symbol: "BTC/USDT", from: "2024-01-01", to: "2024-02-01" },
      { slug: "bob-draft" },
    );
    expect(unavailable.status).toBe(503);
    expect((await t.store.db.select().from(backtests)).length).toBe(0);
    const sent: unknown[] = [];
    t.app.jobs = { send: async (_name, payload) => (sent.push(payload), newId()) };
    try {
      const res = await post(
        backtest,
        "/strategies/bob-draft/backtest",
        bob.cookie,
        { symbol: "BTC/USDT", from: "2024-01-01", to: "2024-02-01", capital: "5000" },
        { slug: "bob-draft" },
      );
      expect(res.status).toBe(302);
      const id = new URL(res.headers.get("Location")!, "http://x").searchParams.get("id")!;
      expect(sent).toEqual([{ backtestId: id }]);
      const page = await (
        await load(backtest, `/strategies/bob-draft/backtest?id=${id}`, bob.cookie, { slug: "bob-draft" })
      ).json();
      expect(page.selected).toMatchObject({ id, status: "queued", settings: { capital: 5000 } });
      expect(
        (await load(backtest, `/strategies/bob-draft/backtest?id=${id}`, alice.cookie, { slug: "bob-draft" }))
          .status,
      ).toBe(404);
    } finally {
      t.app.jobs = null;
    }
  });
});
