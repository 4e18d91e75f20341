// One simulated clock per deployment: workers started at different times, or restarted, agree on the time.
import { sql } from "drizzle-orm";
import { anchorDeploymentClock } from "../db/store/queries/deployment-clock";
import { createTestStore, insertStrategy, insertUser, type TestStore } from "../test/support/store";
import { createWorkerClock } from "./main";

let store: TestStore;
beforeEach(async () => {
  store = await createTestStore();
});
afterEach(() => store.cleanup());

it("a worker started later, or restarted, reads the clock the first one anchored instead of its own", async () => {
  const first = await createWorkerClock(store, 3600);
  await new Promise((r) => setTimeout(r, 50));
  const later = await createWorkerClock(store, 3600);
  const [a, b] = [first.now(), later.now()];
  // Same anchor: the two clocks differ only by the real time between the two reads (× 3600).
  expect(Math.abs(b - a)).toBeLessThan(5 * 3600);
  expect(later.since).toBe(first.since);
  // A per-process clock would have started `later` at its own real start, ~50 ms × 3600 = 3 min behind.
  expect(b - Date.now()).toBeGreaterThan(40 * 3600);
});

it("anchors after the newest executed close of a carried-over store, and re-anchors a new scale without going back", async () => {
  const author = await insertUser(store, "author");
  const s = await insertStrategy(store, author.id);
  const future = Date.now() + 10 * 86_400_000;
  await store.db
    .run(sql`INSERT INTO executions (id, strategy_id, symbol, resolution, close_time, status, started_at)
    VALUES ('e1', ${s.id}, 'BTC/USDT', '1m', ${future}, 'COMPLETED', 0)`);
  const real = Date.now();
  const at60 = await anchorDeploymentClock(store.db, 60, real);
  expect(at60).toEqual({ scale: 60, realAnchor: real, simulatedAnchor: future, simulatedStart: future });
  expect(await anchorDeploymentClock(store.db, 60, real + 1_000)).toEqual(at60);
  const at3600 = await anchorDeploymentClock(store.db, 3600, real + 1_000);
  expect(at3600).toEqual({
    scale: 3600,
    realAnchor: real + 1_000,
    simulatedAnchor: future + 60_000,
    simulatedStart: future + 60_000,
  });
});

it("processes anchoring at once agree on one anchor", async () => {
  const anchors = await Promise.all(
    Array.from({ length: 5 }, (_, i) => anchorDeploymentClock(store.db, 600, Date.now() + i)),
  );
  for (const a of anchors) expect(a).toEqual(anchors[0]);
});
