// At most MAX_LIVE_TOKENS live API tokens per user, even for concurrent creations; revoking one frees a place.
import { createApiToken, listApiTokens, MAX_LIVE_TOKENS } from "../../db/store/queries/api-tokens";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { postRoute, signInAs } from "../../test/app-context";
import { insertUser } from "../../test/support/store";
import * as tokensPage from "../routes/settings.tokens";

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
});
afterAll(() => h.t.close());

const live = async (userId: string) =>
  (await listApiTokens(h.t.store.db, userId)).filter((t) => !t.revokedAt);

describe("API token cap", () => {
  it("creates at most the cap, concurrent requests included, with a 409 naming name beyond", async () => {
    const user = await insertUser(h.t.store, "many");
    const { token } = await createApiToken(h.t.store.db, user.id, "first");
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        h.call("POST", "/api/v1/tokens", { token, body: { name: `t${i}` } }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(MAX_LIVE_TOKENS - 1);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(15 - (MAX_LIVE_TOKENS - 1));
    expect(refused[0].body.error.fields.name).toMatch(/already have 10 live tokens: revoke one/);
    expect(await live(user.id)).toHaveLength(MAX_LIVE_TOKENS);

    const victim = answers.find((a) => a.status === 201)!.body.id;
    expect((await h.call("DELETE", `/api/v1/tokens/${victim}`, { token })).status).toBeLessThan(300);
    expect((await h.call("POST", "/api/v1/tokens", { token, body: { name: "again" } })).status).toBe(201);
  });

  it("the settings form says so on the name field", async () => {
    const user = await insertUser(h.t.store, "form");
    for (let i = 0; i < MAX_LIVE_TOKENS; i++) await createApiToken(h.t.store.db, user.id, `t${i}`);
    const cookie = await signInAs(h.t, user.id);
    const res = await postRoute(h.t, tokensPage, "/settings/tokens", cookie, { name: "one more" });
    expect(res.status).toBe(409);
    expect((await res.json()).errors.name).toMatch(/revoke one you no longer use first/);
    expect(await live(user.id)).toHaveLength(MAX_LIVE_TOKENS);
  });
});
