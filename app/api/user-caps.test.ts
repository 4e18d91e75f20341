// Per-user caps through the real routes: subscriptions (API and form) and the API rate limit of all of a
// user's tokens together, beside each token's own.
import { createApiToken } from "../../db/store/queries/api-tokens";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { makeRequest, postRoute, respond, signInAs } from "../../test/app-context";
import { VALID_RISK_FORM } from "../../test/support/risk-form";
import { insertStrategy, insertSubscriptions, insertUser } from "../../test/support/store";
import * as subscribePage from "../routes/strategies.$slug_.subscribe";
import * as subscriptionsPage from "../routes/subscriptions._index";
import { inOneRateWindow } from "../../test/support/rate-window";

let h: ApiHarness;
let strategy: { id: string; slug: string };
beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  const author = await insertUser(h.t.store, "author");
  strategy = await insertStrategy(h.t.store, author.id);
});
afterAll(() => h.t.close());

/** Runs `body` with some of the app's per-user limits changed, as the env variables would. */
async function withLimits(limits: Partial<typeof h.t.app.config.limits>, body: () => Promise<void>) {
  const config = h.t.app.config;
  h.t.app.config = { ...config, limits: { ...config.limits, ...limits } };
  try {
    await body();
  } finally {
    h.t.app.config = config;
  }
}

describe("subscriptions per user", () => {
  it("creates at most the cap, concurrent requests included, with a 409 naming strategyId; a cancel frees a place", () =>
    withLimits({ subscriptions: 3 }, async () => {
      const user = await insertUser(h.t.store, "many-subs");
      const { token } = await createApiToken(h.t.store.db, user.id, "ci");
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          h.call("POST", "/api/v1/subscriptions", { token, body: { strategyId: strategy.id } }),
        ),
      );
      const created = answers.filter((a) => a.status === 201);
      expect(created).toHaveLength(3);
      const refused = answers.filter((a) => a.status === 409);
      expect(refused).toHaveLength(5);
      expect(refused[0].body.error.fields.strategyId).toBe(
        "You already have 3 subscriptions: cancel one you no longer follow first",
      );
      const list = await h.call("GET", "/api/v1/subscriptions?limit=100", { token });
      expect(list.body.items).toHaveLength(3);

      const cancel = await h.call("POST", `/api/v1/subscriptions/${created[0].body.id}/cancel`, { token });
      expect(cancel.status).toBe(200);
      const again = await h.call("POST", "/api/v1/subscriptions", {
        token,
        body: { strategyId: strategy.id },
      });
      expect(again.status).toBe(201);
    }));

  it("the subscribe form says so and creates nothing", () =>
    withLimits({ subscriptions: 1 }, async () => {
      const user = await insertUser(h.t.store, "form-subs");
      const cookie = await signInAs(h.t, user.id);
      const { token } = await createApiToken(h.t.store.db, user.id, "ci");
      await h.call("POST", "/api/v1/subscriptions", { token, body: { strategyId: strategy.id } });
      const res = await postRoute(
        h.t,
        subscribePage,
        `/strategies/${strategy.slug}/subscribe`,
        cookie,
        { ...VALID_RISK_FORM, brokerAccountId: user.paperBrokerId },
        { slug: strategy.slug },
      );
      expect(res.status).toBe(400);
      expect((await res.json()).errors.strategyId).toMatch(/already have 1 subscriptions: cancel one/);
      const list = await h.call("GET", "/api/v1/subscriptions", { token });
      expect(list.body.items).toHaveLength(1);
    }));
});

describe("the subscriptions page", () => {
  it("shows 20 per page, newest first, with an Older cursor to the end and no row twice", async () => {
    const user = await insertUser(h.t.store, "pages");
    const cookie = await signInAs(h.t, user.id);
    await insertSubscriptions(h.t.store, strategy.id, 45, {
      userId: user.id,
      brokerAccountId: user.paperBrokerId,
    });
    const load = async (search: string) => {
      const res = await respond(() =>
        subscriptionsPage.loader({
          request: makeRequest(`/subscriptions${search}`, { cookie }),
          context: h.t.context,
          params: {},
        }),
      );
      return (await res.json()) as { subscriptions: { id: string }[]; next: string | null; paged: boolean };
    };
    const seen: string[] = [];
    const sizes: number[] = [];
    let page = await load("");
    expect(page.paged).toBe(false);
    for (;;) {
      sizes.push(page.subscriptions.length);
      seen.push(...page.subscriptions.map((s) => s.id));
      if (!page.next) break;
      page = await load(`?cursor=${page.next}`);
      expect(page.paged).toBe(true);
    }
    expect(sizes).toEqual([20, 20, 5]);
    expect(new Set(seen).size).toBe(45);
    // A cursor this app did not make shows the first page.
    expect((await load("?cursor=not-a-cursor")).subscriptions.map((s) => s.id)).toEqual(seen.slice(0, 20));
  });
});

describe("API rate limit per user", () => {
  it("counts all of a user's tokens together, says which limit refused, and leaves other users alone", () =>
    withLimits({ apiRequestsPerMinutePerToken: 5, apiRequestsPerMinutePerUser: 8 }, async () => {
      const user = await insertUser(h.t.store, "busy");
      const first = (await createApiToken(h.t.store.db, user.id, "a")).token;
      const second = (await createApiToken(h.t.store.db, user.id, "b")).token;
      const other = await insertUser(h.t.store, "calm");
      const otherToken = (await createApiToken(h.t.store.db, other.id, "c")).token;
      await inOneRateWindow();

      const byFirst = await Promise.all(
        Array.from({ length: 6 }, () => h.call("GET", "/api/v1/me", { token: first })),
      );
      expect(byFirst.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 429]);
      const tokenRefusal = byFirst.find((a) => a.status === 429)!;
      expect(tokenRefusal.headers.get("X-RateLimit-Scope")).toBe("token");
      expect(tokenRefusal.headers.get("X-RateLimit-Limit")).toBe("5");
      expect(tokenRefusal.body.error.message).toMatch(
        /^Rate limit of this token reached: 5 requests per minute/,
      );

      // The user has spent 6 of 8: the second token gets 2 more, then the user's limit refuses it.
      const ok = await h.call("GET", "/api/v1/me", { token: second });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("X-RateLimit-Scope")).toBe("user");
      expect(ok.headers.get("X-RateLimit-Limit")).toBe("8");
      expect(ok.headers.get("X-RateLimit-Remaining")).toBe("1");
      expect((await h.call("GET", "/api/v1/me", { token: second })).status).toBe(200);
      const refused = await h.call("GET", "/api/v1/me", { token: second });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("rate_limited");
      expect(refused.body.error.message).toMatch(/your account \(all its tokens together\)/);
      expect(refused.headers.get("X-RateLimit-Remaining")).toBe("0");
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(Number(refused.headers.get("Retry-After"))).toBeLessThanOrEqual(60);

      expect((await h.call("GET", "/api/v1/me", { token: otherToken })).status).toBe(200);
    }));
});
