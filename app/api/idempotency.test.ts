// Idempotency-Key on every API POST, through the real route tree and store: replays, conflicts, expiry, concurrency.
import { and, eq, sql } from "drizzle-orm";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { IDEMPOTENCY_TTL_MS } from "../../db/store/queries/idempotency";
import { idempotencyKeys, subscriptions } from "../../db/store/schema";
import { insertStrategy, insertUser, SAMPLE_CODE } from "../../test/support/store";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { openApiContract } from "../../test/openapi-contract";
import { OPERATIONS } from "./operations.server";

let h: ApiHarness;
let documented: ReturnType<typeof openApiContract>;
let strategyId: string;

async function user(name: string) {
  const u = await insertUser(h.t.store, name);
  return { id: u.id, token: (await createApiToken(h.t.store.db, u.id, "test")).token };
}

const subscriptionsOf = async (userId: string) =>
  (await h.t.store.db.select().from(subscriptions).where(eq(subscriptions.userId, userId))).length;

const post = (path: string, token: string, key: string | null, body?: unknown) =>
  h.call("POST", path, { token, body, headers: key === null ? {} : { "Idempotency-Key": key } });

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  const author = await insertUser(h.t.store, "author");
  strategyId = (await insertStrategy(h.t.store, author.id, { slug: "idem-trend", resolution: "1h" })).id;
  documented = openApiContract((await h.call("GET", "/api/v1/openapi.json")).body);
});
afterAll(async () => {
  await h.t.close();
});

describe("Idempotency-Key", () => {
  it("is documented on every POST, with the 409 it can answer", async () => {
    const doc = (await h.call("GET", "/api/v1/openapi.json")).body;
    const posts = OPERATIONS.filter((o) => o.method === "POST");
    expect(posts.length).toBeGreaterThan(8);
    for (const op of posts) {
      const documentedOp = doc.paths[`/api/v1${op.path}`].post;
      expect(documentedOp.parameters, op.operationId).toContainEqual({
        $ref: "#/components/parameters/IdempotencyKey",
      });
      expect(Object.keys(documentedOp.responses), op.operationId).toContain("409");
    }
  });

  it("a retry with the same key and body gets the first answer, and nothing is created twice", async () => {
    const u = await user("retry");
    const body = { strategyId, capital: 2000 };
    const first = await post("/api/v1/subscriptions", u.token, "sub-1", body);
    const again = await post("/api/v1/subscriptions", u.token, "sub-1", body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    expect(documented("createSubscription", again)).toEqual([]);
    expect(await subscriptionsOf(u.id)).toBe(1);

    const without = await post("/api/v1/subscriptions", u.token, null, body);
    expect(without.status).toBe(201);
    expect(await subscriptionsOf(u.id)).toBe(2);
  });

  it("the same key with another body, path or method is a 409 naming the header, and changes nothing", async () => {
    const u = await user("reuse");
    expect((await post("/api/v1/subscriptions", u.token, "k", { strategyId })).status).toBe(201);
    const other = await post("/api/v1/subscriptions", u.token, "k", { strategyId, capital: 3000 });
    expect(other.status).toBe(409);
    expect(other.body.error.fields).toHaveProperty("Idempotency-Key");
    expect(documented("createSubscription", other)).toEqual([]);
    const otherPath = await post("/api/v1/tokens", u.token, "k", { name: "ci" });
    expect(otherPath.status).toBe(409);
    expect(await subscriptionsOf(u.id)).toBe(1);
  });

  it("keys are per user", async () => {
    const a = await user("key-a");
    const b = await user("key-b");
    const body = { strategyId };
    const fromA = await post("/api/v1/subscriptions", a.token, "shared", body);
    const fromB = await post("/api/v1/subscriptions", b.token, "shared", body);
    expect(fromB.status).toBe(201);
    expect(fromB.body.id).not.toBe(fromA.body.id);
    expect(fromB.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("a key expires after 24 h: then it runs again", async () => {
    const u = await user("expiry");
    const body = { strategyId };
    const first = await post("/api/v1/subscriptions", u.token, "old", body);
    await h.t.store.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`${idempotencyKeys.createdAt} - ${IDEMPOTENCY_TTL_MS + 1}` })
      .where(and(eq(idempotencyKeys.userId, u.id), eq(idempotencyKeys.key, "old")));
    const later = await post("/api/v1/subscriptions", u.token, "old", body);
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
    expect(await subscriptionsOf(u.id)).toBe(2);
  });

  it("a duplicate sent while the first still runs is a 409 with Retry-After; afterwards it replays", async () => {
    const u = await user("concurrent");
    // Nobody runs the validation (runJobs: false), so the first request waits its full `wait`.
    const path = "/api/v1/validate?wait=2";
    const body = { code: SAMPLE_CODE };
    const first = post(path, u.token, "slow", body);
    await vi.waitFor(async () => {
      const row = await h.t.store.db.query.idempotencyKeys.findFirst({
        where: and(eq(idempotencyKeys.userId, u.id), eq(idempotencyKeys.key, "slow")),
      });
      expect(row).toBeDefined();
    });
    const duplicate = await post(path, u.token, "slow", body);
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get("Retry-After")).toBe("1");
    expect(documented("validateStrategy", duplicate)).toEqual([]);
    const answered = await first;
    expect(answered.status).toBe(202);
    const replay = await post(path, u.token, "slow", body);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(answered.body);
  });

  it("concurrent duplicates create one subscription", async () => {
    const u = await user("race");
    const body = { strategyId };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => post("/api/v1/subscriptions", u.token, "race", body)),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(await subscriptionsOf(u.id)).toBe(1);
  });

  it("a refused input (422) is not kept: the corrected request with the same key runs", async () => {
    const u = await user("fix");
    const bad = await post("/api/v1/subscriptions", u.token, "fix-1", { strategyId, leverage: 100 });
    expect(bad.status).toBe(422);
    const fixed = await post("/api/v1/subscriptions", u.token, "fix-1", { strategyId, leverage: 2 });
    expect(fixed.status).toBe(201);
  });

  it("a kept error answer is replayed (a 409 stays a 409), and a bodiless POST replays its success", async () => {
    const u = await user("pause");
    const sub = await post("/api/v1/subscriptions", u.token, null, { strategyId });
    const path = `/api/v1/subscriptions/${sub.body.id}/pause`;
    const paused = await post(path, u.token, "pause-1");
    const again = await post(path, u.token, "pause-1");
    expect(paused.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(paused.body);
    const conflict = await post(path, u.token, "pause-2");
    expect(conflict.status).toBe(409);
    const conflictAgain = await post(path, u.token, "pause-2");
    expect(conflictAgain.status).toBe(409);
    expect(conflictAgain.body.error.message).toBe(conflict.body.error.message);
    expect(conflictAgain.headers.get("Idempotent-Replayed")).toBe("true");
    expect(documented("pauseSubscription", conflictAgain)).toEqual([]);
  });

  it("a malformed key is a 422 naming the header", async () => {
    const u = await user("malformed");
    const answer = await post("/api/v1/subscriptions", u.token, "x".repeat(256), { strategyId });
    expect(answer.status).toBe(422);
    expect(answer.body.error.fields).toHaveProperty("Idempotency-Key");
    expect(await subscriptionsOf(u.id)).toBe(0);
  });
});
