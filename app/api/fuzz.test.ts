// Fuzzed requests to every operation: never a 5xx, and a refused request leaves the store exactly as it was.
import fc from "fast-check";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { insertStrategy, insertUser, storeSnapshot } from "../../test/support/store";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { OPERATIONS } from "./operations.server";

let h: ApiHarness;
let ids: Record<string, string>;

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  const author = await insertUser(h.t.store, "author");
  const strategy = await insertStrategy(h.t.store, author.id, { slug: "fuzz-target", resolution: "1h" });
  ids = { id: strategy.id, versionId: strategy.versionId };
});
afterAll(async () => {
  await h.t.close();
});

const snapshot = () => storeSnapshot(h.t.store);

const KNOWN_KEYS = [
  "name",
  "slug",
  "description",
  "tags",
  "visibility",
  "version",
  "code",
  "symbols",
  "resolution",
  "lookback",
  "params",
  "changelog",
  "status",
  "symbol",
  "from",
  "to",
  "versionId",
  "capital",
  "riskPerTrade",
  "leverage",
  "maxOpenPositions",
  "maxDailyLoss",
  "stopLossAtr",
  "takeProfitAtr",
  "brokerAccountId",
  "pinnedVersionId",
  "strategyId",
];

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    "",
    " ",
    "1.0.0",
    "BTC/USDT",
    "1h",
    "2024-01-01",
    "NaN",
    "-1",
    "1e309",
    "__proto__",
    "x".repeat(6000),
  ),
  fc.double(),
  fc.integer(),
);
/** Bodies shaped like the real ones (known keys, hostile values) and arbitrary JSON. */
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...KNOWN_KEYS), value, { maxKeys: 8 }),
  fc.jsonValue({ maxDepth: 3 }),
);
const raw = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom("{", "[1,", "\u0000", '{"name":}', "null"),
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("-1", "0", "1e9", "mine", "public", "abc=="),
);

const writes = OPERATIONS.filter((o) => o.body || o.query);

describe("fuzzed requests", () => {
  it.each(writes.map((o) => [o.operationId, o] as const))(
    "%s: no 5xx, and a refusal changes nothing",
    async (_id, op) => {
      const owner = await insertUser(h.t.store, "fuzzer");
      const token = (await createApiToken(h.t.store.db, owner.id, "fuzz")).token;
      let before = await snapshot();
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            body.map((b) => ({ b, r: undefined as string | undefined })),
            raw.map((r) => ({ b: undefined, r })),
          ),
          fc.dictionary(fc.constantFrom("limit", "cursor", "scope", "wait", "strategyId"), queryValue, {
            maxKeys: 3,
          }),
          fc.boolean(),
          async ({ b, r }, query, realIds) => {
            const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
              realIds ? (ids[name] ?? "x") : "zz-unknown",
            );
            const search = new URLSearchParams({
              ...query,
              ...(op.operationId === "validateStrategy" ? { wait: "0" } : {}),
            });
            const answer = await h.call(op.method, `/api/v1${path}?${search}`, {
              token,
              body: op.body ? b : undefined,
              raw: op.body ? r : undefined,
            });
            expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
            const after = await snapshot();
            if (answer.status >= 400) {
              expect(answer.body.error.code).toEqual(expect.any(String));
              expect(after).toBe(before);
            }
            before = after;
          },
        ),
        { numRuns: 60 },
      );
    },
  );
});
