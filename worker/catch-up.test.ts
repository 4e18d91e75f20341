// The catch-up sweep and the active-candle registry against a real store, with a hand-set clock.
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { ACTIVE_CANDLES_BUILT_KEY, ACTIVE_CANDLES_KEY } from "../db/contracts/cache-keys";
import { newId } from "../db/platform/ids";
import { createInfra, type Infra } from "../db/infra/index.server";
import { recordMissedCloses } from "../db/store/queries/registry";
import { publishVersion } from "../db/store/queries/strategies";
import { executions, subscriptions } from "../db/store/schema";
import {
  createTestStore,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  SAMPLE_CODE,
  type TestStore,
} from "../test/support/store";
import type { CandleJob } from "./candle-jobs";
import { createCatchUp } from "./catch-up";
import { createWorkerMetrics } from "./metrics";
import { createActiveCandleRegistry } from "./registry";

const T = Date.UTC(2026, 0, 5, 0, 0, 0);
const M = 60_000;
const logger = pino({ level: "silent" });
let store: TestStore;
let infra: Infra;

beforeEach(async () => {
  store = await createTestStore();
  infra = await createInfra({ logger });
});
afterEach(async () => {
  await infra.close();
  store.cleanup();
});

describe("active-candle registry", () => {
  it("lists each (strategy, symbol, resolution) with an active subscription, following pinned versions", async () => {
    const author = await insertUser(store, "author");
    const a = await insertStrategy(store, author.id, {
      slug: "reg-a",
      symbols: ["BTC/USDT", "ETH/USDT"],
      resolution: "1m",
    });
    const paused = await insertStrategy(store, author.id, { slug: "reg-paused", resolution: "5m" });
    await insertSubscriptions(store, a.id, 2);
    const [p] = await insertSubscriptions(store, paused.id, 1);
    await store.db.update(subscriptions).set({ status: "paused" }).where(eq(subscriptions.id, p.id));
    // A v2 on 1h: one subscriber stays pinned to v1 (1m), the others follow v2.
    const v2 = await publishVersion(store.db, author.id, a.id, {
      version: "2.0.0",
      code: SAMPLE_CODE,
      symbols: ["BTC/USDT"],
      resolution: "1h",
      lookback: 50,
      params: {},
      changelog: "",
    });
    expect(v2).not.toBeNull();
    const [pinned] = await insertSubscriptions(store, a.id, 1);
    await store.db
      .update(subscriptions)
      .set({ pinnedVersionId: a.versionId })
      .where(eq(subscriptions.id, pinned.id));

    const registry = createActiveCandleRegistry({ db: store.db, cache: infra.cache, logger });
    const keys = (await registry.rebuild()).map((c) => `${c.symbol} ${c.resolution}`).sort();
    expect(keys).toEqual(["BTC/USDT 1h", "BTC/USDT 1m", "ETH/USDT 1m"]);
    expect((await registry.read()).length).toBe(3);
  });

  it("rebuilds from the store when the cache lost it (flushed)", async () => {
    const author = await insertUser(store, "author");
    const a = await insertStrategy(store, author.id, { slug: "reg-flush" });
    await insertSubscriptions(store, a.id, 1);
    const registry = createActiveCandleRegistry({ db: store.db, cache: infra.cache, logger });
    await registry.rebuild();
    await infra.cache.del(ACTIVE_CANDLES_KEY, ACTIVE_CANDLES_BUILT_KEY);
    expect(await registry.read()).toEqual([expect.objectContaining({ strategyId: a.id, resolution: "1m" })]);
    expect(await infra.cache.get(ACTIVE_CANDLES_BUILT_KEY)).not.toBeNull();
  });
});

describe("catch-up sweep", () => {
  async function scenario(
    now: number,
    missedAfterMs = 30_000,
    opts: { scale?: number; resolution?: "1m" | "1h" } = {},
  ) {
    const scale = opts.scale ?? 1;
    const resolution = opts.resolution ?? "1m";
    const step = resolution === "1m" ? M : 60 * M;
    const author = await insertUser(store, "author");
    const s = await insertStrategy(store, author.id, { slug: `cu-${newId().slice(-6)}`, resolution });
    const [sub] = await insertSubscriptions(store, s.id, 1);
    // Subscribed since simulated T - 1 (its real time: `now` is also the real now here).
    await store.db
      .update(subscriptions)
      .set({ updatedAt: now - Math.ceil((now - T + 1) / scale) })
      .where(eq(subscriptions.id, sub.id));
    // The worker ran T, T+1m and T+2m, then went down.
    await recordMissedCloses(
      store.db,
      [0, 1, 2].map((k) => ({
        strategyId: s.id,
        symbol: "BTC/USDT",
        resolution,
        closeTime: T + k * step,
      })),
      { now: T, workerId: "earlier", detail: "stand-in for executions that ran" },
    );
    const enqueued: CandleJob[] = [];
    const registry = createActiveCandleRegistry({ db: store.db, cache: infra.cache, logger });
    const sweep = createCatchUp({
      db: store.db,
      registry,
      enqueue: async (jobs) => void enqueued.push(...jobs),
      clock: { now: () => now, toRealMs: (ms) => ms / scale, scale },
      notBefore: 0,
      missedAfterMs,
      workerId: "w",
      logger,
      metrics: createWorkerMetrics(),
      realNow: () => now,
    });
    return { s, sweep, enqueued };
  }

  it("enqueues the latest close and records the older unexecuted ones as SKIPPED missed", async () => {
    const now = T + 7 * M + 10_000;
    const { s, sweep, enqueued } = await scenario(now);
    expect(await sweep()).toEqual({ at: now, keys: 1, enqueued: 1, missed: 4 });
    expect(enqueued).toEqual([
      { strategyId: s.id, symbol: "BTC/USDT", resolution: "1m", closeTime: T + 7 * M },
    ]);
    const missed = await store.db
      .select({ closeTime: executions.closeTime, reason: executions.reason })
      .from(executions)
      .where(
        and(eq(executions.strategyId, s.id), eq(executions.status, "SKIPPED"), eq(executions.workerId, "w")),
      );
    expect(missed.map((m) => (m.closeTime - T) / M).sort()).toEqual([3, 4, 5, 6]);
    expect(missed.every((m) => m.reason === "missed")).toBe(true);
    // Idempotent: a second sweep (another worker's) finds nothing more to record.
    expect((await sweep()).missed).toBe(0);
  });

  it("leaves a recent close alone while its job may still be queued", async () => {
    // At T+7m 10s with a 150 s grace, T+5m (130 s old) and T+6m are not missed yet.
    const now = T + 7 * M + 10_000;
    const { sweep } = await scenario(now, 150_000);
    expect((await sweep()).missed).toBe(2);
  });

  it("at TIME_SCALE 3600 records the missed closes although the grace (30 h simulated) is longer than a day", async () => {
    const H = 60 * M;
    const now = T + 50 * H + 10_000;
    const { sweep } = await scenario(now, 30_000 * 3600, { scale: 3600, resolution: "1h" });
    // Ran T, T+1h, T+2h; T+3h ... T+20h are past the grace (T+21h is 29 h 0 min 10 s old).
    expect(await sweep()).toMatchObject({ enqueued: 1, missed: 18 });
  });
});
