// listStrategies takes the marketplace's search and filters (q, symbol, resolution, tag) in both scopes,
// refuses a bad filter with a 422 naming it, and pages the filtered list without repeats.
import { eq } from "drizzle-orm";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { strategies, strategyTags } from "../../db/store/schema";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { insertStrategy, insertUser } from "../../test/support/store";

let h: ApiHarness;
let token: string;
const names: Record<string, string> = {};

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  const author = await insertUser(h.t.store, "author");
  token = (await createApiToken(h.t.store.db, author.id, "test")).token;
  const make = async (
    slug: string,
    opts: Parameters<typeof insertStrategy>[2],
    tag: string,
    visibility = "public",
  ) => {
    const s = await insertStrategy(h.t.store, author.id, { slug, ...opts });
    await h.t.store.db
      .update(strategies)
      .set({ name: `Strategy ${slug}`, visibility: visibility as "public" })
      .where(eq(strategies.id, s.id));
    await h.t.store.db.update(strategyTags).set({ tag }).where(eq(strategyTags.strategyId, s.id));
    names[slug] = s.id;
  };
  await make("btc-trend", { symbols: ["BTC/USDT"], resolution: "1h" }, "trend");
  await make("eth-revert", { symbols: ["ETH/USDT"], resolution: "1h" }, "mean-reversion");
  await make("btc-scalp", { symbols: ["BTC/USDT"], resolution: "1m" }, "scalping");
  await make("btc-draft", { symbols: ["BTC/USDT"], resolution: "1h" }, "trend", "draft");
});
afterAll(() => h.t.close());

const list = async (query: string) => {
  const answer = await h.call("GET", `/api/v1/strategies?${query}`, { token });
  return {
    status: answer.status,
    body: answer.body,
    slugs: (answer.body.items ?? []).map((s: { slug: string }) => s.slug).sort(),
  };
};

describe("listStrategies filters", () => {
  it("filters the public list by symbol, resolution, tag and words", async () => {
    expect((await list("scope=public&symbol=BTC/USDT")).slugs).toEqual(["btc-scalp", "btc-trend"]);
    expect((await list("scope=public&symbol=BTC/USDT&resolution=1h")).slugs).toEqual(["btc-trend"]);
    expect((await list("scope=public&tag=mean-reversion")).slugs).toEqual(["eth-revert"]);
    expect((await list("scope=public&q=scalp")).slugs).toEqual(["btc-scalp"]);
    expect((await list("scope=public&q=%25")).slugs).toEqual([]);
  });

  it("filters your own list too, drafts included", async () => {
    expect((await list("scope=mine&tag=trend")).slugs).toEqual(["btc-draft", "btc-trend"]);
  });

  it("pages a filtered list without repeats or gaps", async () => {
    const first = await h.call("GET", "/api/v1/strategies?scope=public&symbol=BTC/USDT&limit=1", { token });
    const cursor = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    const second = await h.call(
      "GET",
      `/api/v1/strategies?scope=public&symbol=BTC/USDT&limit=1&cursor=${encodeURIComponent(cursor)}`,
      { token },
    );
    const slugs = [...first.body.items, ...second.body.items].map((s: { slug: string }) => s.slug);
    expect(slugs.sort()).toEqual(["btc-scalp", "btc-trend"]);
  });

  it("refuses a bad filter with a 422 naming it", async () => {
    for (const [query, field] of [
      ["symbol=bitcoin", "symbol"],
      ["resolution=2h", "resolution"],
      [`q=${"x".repeat(81)}`, "q"],
    ]) {
      const answer = await list(`scope=public&${query}`);
      expect(answer.status, query).toBe(422);
      expect(Object.keys(answer.body.error.fields), query).toContain(field);
    }
  });
});
