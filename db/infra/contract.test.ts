// One contract for the lock, cache and bus, run against Redis and the in-process implementations alike.
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { z } from "zod";
import { cacheAside, writeThrough } from "./cache-aside";
import { createInfra, deleteKeysByPrefix, RedisUnavailableError, type Infra } from "./index.server";
import type { InfraLogger } from "./logger";
import { LockLostError, withLock } from "./with-lock";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

type LogLine = { level: "warn" | "error"; message: string; context: Record<string, unknown> };

function recordingLogger(lines: LogLine[]): InfraLogger {
  return {
    warn: (context, message) => lines.push({ level: "warn", message, context }),
    error: (context, message) => lines.push({ level: "error", message, context }),
  };
}

type Harness = {
  infra: Infra;
  /** A second client of the same store: another connection on Redis, the same instance in-process. */
  peer: Infra;
  logs: LogLine[];
  /** Lets ms pass as the implementation sees time. */
  elapse(ms: number): Promise<void>;
  /** Makes the current holder lose key without its knowledge. */
  loseLock(key: string, ttlMs: number): Promise<void>;
  cleanup(): Promise<void>;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const waitFor = (condition: () => boolean, what: string, timeout = 3000) =>
  vi.waitFor(
    () => {
      if (!condition()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout, interval: 5 },
  );

function randomPrefix(): string {
  return `test:infra:${crypto.randomUUID()}:`;
}

function connectAdmin(): Redis {
  const admin = new Redis(REDIS_URL);
  admin.on("error", () => {});
  return admin;
}

async function memoryHarness(): Promise<Harness> {
  let offset = 0;
  const logs: LogLine[] = [];
  // Real time plus a hand-driven offset: timers in withLock still run, and a test can jump past a TTL.
  const infra = await createInfra({ now: () => Date.now() + offset, logger: recordingLogger(logs) });
  return {
    infra,
    peer: infra,
    logs,
    elapse: async (ms) => {
      offset += ms;
    },
    loseLock: async (_key, ttlMs) => {
      offset += ttlMs + 1;
    },
    cleanup: () => infra.close(),
  };
}

async function redisHarness(): Promise<Harness> {
  const keyPrefix = randomPrefix();
  const logs: LogLine[] = [];
  const logger = recordingLogger(logs);
  const infra = await createInfra({ redisUrl: REDIS_URL, keyPrefix, logger });
  const peer = await createInfra({ redisUrl: REDIS_URL, keyPrefix, logger });
  const admin = connectAdmin();
  return {
    infra,
    peer,
    logs,
    elapse: sleep,
    loseLock: async (key) => {
      await admin.del(keyPrefix + key);
    },
    cleanup: async () => {
      await Promise.all([infra.close(), peer.close()]);
      await deleteKeysByPrefix(admin, keyPrefix);
      await admin.quit();
    },
  };
}

describe.each([
  { name: "memory", makeHarness: memoryHarness },
  { name: "redis", makeHarness: redisHarness },
])("infra contract: $name", ({ makeHarness }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await makeHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  describe("lock", () => {
    it("lets exactly one of many concurrent acquirers win", async () => {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? h.peer : h.infra).lock.acquire("race", 5000),
      );
      const handles = await Promise.all(attempts);
      expect(handles.filter(Boolean)).toHaveLength(1);
    });

    it("frees the key on release, and a second release reports nothing to free", async () => {
      const handle = await h.infra.lock.acquire("job", 5000);
      expect(handle).not.toBeNull();
      expect(await h.peer.lock.acquire("job", 5000)).toBeNull();
      expect(await handle!.release()).toBe(true);
      expect(await handle!.release()).toBe(false);
      expect(await h.peer.lock.acquire("job", 5000)).not.toBeNull();
    });

    it("expires after its TTL", async () => {
      expect(await h.infra.lock.acquire("ttl", 150)).not.toBeNull();
      await h.elapse(50);
      expect(await h.peer.lock.acquire("ttl", 150)).toBeNull();
      await h.elapse(200);
      expect(await h.peer.lock.acquire("ttl", 150)).not.toBeNull();
    });

    it("stays held past the first TTL when extended", async () => {
      const handle = await h.infra.lock.acquire("extend", 150);
      await h.elapse(100);
      expect(await handle!.extend(400)).toBe(true);
      await h.elapse(150);
      expect(await h.peer.lock.acquire("extend", 150)).toBeNull();
      await h.elapse(350);
      expect(await h.peer.lock.acquire("extend", 150)).not.toBeNull();
    });

    it("does not let a holder whose token is stale release or extend the new holder's lock", async () => {
      const stale = await h.infra.lock.acquire("fence", 150);
      await h.elapse(250);
      const current = await h.peer.lock.acquire("fence", 5000);
      expect(current).not.toBeNull();
      expect(current!.token).not.toBe(stale!.token);

      expect(await stale!.extend(5000)).toBe(false);
      expect(await stale!.release()).toBe(false);
      expect(await h.infra.lock.acquire("fence", 5000)).toBeNull();
      expect(await current!.release()).toBe(true);
    });

    it("refuses a TTL that is not a positive whole number of milliseconds", async () => {
      await expect(h.infra.lock.acquire("bad", 0)).rejects.toThrow(RangeError);
      await expect(h.infra.lock.acquire("bad", 1.5)).rejects.toThrow(RangeError);
    });
  });

  describe("withLock", () => {
    it("keeps extending while a long piece of work runs, then releases", async () => {
      let heldMidway: boolean | undefined;
      const outcome = await withLock(h.infra.lock, "long", 200, async (signal) => {
        await sleep(350);
        heldMidway = (await h.peer.lock.acquire("long", 200)) === null;
        await sleep(350);
        return signal.aborted ? "aborted" : "done";
      });
      expect(heldMidway).toBe(true);
      expect(outcome).toEqual({ acquired: true, lost: false, value: "done" });
      expect(await h.peer.lock.acquire("long", 200)).not.toBeNull();
    });

    it("does not run the work when someone else holds the key", async () => {
      await h.peer.lock.acquire("busy", 5000);
      let ran = false;
      const outcome = await withLock(h.infra.lock, "busy", 5000, async () => {
        ran = true;
      });
      expect(outcome).toEqual({ acquired: false });
      expect(ran).toBe(false);
    });

    it("aborts the work and reports loss when the lock is taken away, without freeing the new holder", async () => {
      let thief: Awaited<ReturnType<Infra["lock"]["acquire"]>> = null;
      let abortReason: unknown;
      const outcome = await withLock(
        h.infra.lock,
        "stolen",
        300,
        async (signal) => {
          await h.loseLock("stolen", 300);
          thief = await h.peer.lock.acquire("stolen", 60_000);
          await waitFor(() => signal.aborted, "the lock-lost abort");
          abortReason = signal.reason;
          return "partial";
        },
        { extendEveryMs: 30 },
      );
      expect(thief).not.toBeNull();
      expect(outcome).toEqual({ acquired: true, lost: true, value: "partial" });
      expect(abortReason).toBeInstanceOf(LockLostError);
      expect(await h.infra.lock.acquire("stolen", 5000)).toBeNull();
      expect(await thief!.release()).toBe(true);
    });

    it("releases the lock and rethrows when the work throws", async () => {
      const failure = new Error("strategy crashed");
      await expect(
        withLock(h.infra.lock, "throws", 5000, async () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await h.peer.lock.acquire("throws", 5000)).not.toBeNull();
    });
  });

  describe("seats", () => {
    const place = (holder: string) => ({ key: "streams:u1", holder });

    it("lets at most `cap` of many concurrent takers from both clients in, and counts them", async () => {
      const takes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? h.peer : h.infra).seats.take(place(`s${i}`), 3, 5000)),
      );
      expect(takes.filter(Boolean)).toHaveLength(3);
      expect(await h.peer.seats.count("streams:u1")).toBe(3);
      expect(await h.infra.seats.count("streams:u2")).toBe(0);
      expect(await h.infra.seats.take({ key: "streams:u2", holder: "other" }, 3, 5000)).toBe(true);
    });

    it("frees a place on release, and takes again for a holder that already has one", async () => {
      expect(await h.infra.seats.take(place("a"), 2, 5000)).toBe(true);
      expect(await h.infra.seats.take(place("b"), 2, 5000)).toBe(true);
      expect(await h.infra.seats.take(place("a"), 2, 5000)).toBe(true);
      expect(await h.peer.seats.take(place("c"), 2, 5000)).toBe(false);
      await h.infra.seats.release(place("a"));
      await h.infra.seats.release(place("a"));
      expect(await h.peer.seats.count("streams:u1")).toBe(1);
      expect(await h.peer.seats.take(place("c"), 2, 5000)).toBe(true);
    });

    it("lets a place lapse after its TTL unless renewed, and renewing takes a lapsed one back past the cap", async () => {
      expect(await h.infra.seats.take(place("kept"), 2, 150)).toBe(true);
      expect(await h.infra.seats.take(place("left"), 2, 150)).toBe(true);
      await h.elapse(100);
      await h.infra.seats.renew([place("kept")], 400);
      await h.elapse(150);
      expect(await h.peer.seats.count("streams:u1")).toBe(1);
      expect(await h.peer.seats.take(place("new"), 2, 5000)).toBe(true);
      await h.infra.seats.renew([place("left")], 5000);
      expect(await h.peer.seats.count("streams:u1")).toBe(3);
      await h.elapse(400);
      expect(await h.peer.seats.count("streams:u1")).toBe(2);
    });

    it("refuses a TTL that is not a positive whole number of milliseconds", async () => {
      await expect(h.infra.seats.take(place("bad"), 2, 0)).rejects.toThrow(RangeError);
      await expect(h.infra.seats.renew([place("bad")], 1.5)).rejects.toThrow(RangeError);
      expect(await h.infra.seats.count("streams:u1")).toBe(0);
    });
  });

  describe("cache", () => {
    const Settings = z.object({ riskPerTrade: z.number(), paused: z.boolean() });

    it("gets, sets, overwrites and deletes strings", async () => {
      expect(await h.infra.cache.get("k")).toBeNull();
      await h.infra.cache.set("k", "one");
      expect(await h.peer.cache.get("k")).toBe("one");
      await h.infra.cache.set("k", "two");
      expect(await h.peer.cache.get("k")).toBe("two");
      await h.infra.cache.set("other", "x");
      expect(await h.infra.cache.del("k", "other", "never-set")).toBe(2);
      expect(await h.peer.cache.get("k")).toBeNull();
      expect(await h.infra.cache.del()).toBe(0);
    });

    it("counts atomically in a fixed window: concurrent increments each get their own number", async () => {
      const counts = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? h.infra : h.peer).cache.increment("n", 2_000)),
      );
      expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      await h.elapse(1_200);
      // A later increment does not move the window's end.
      expect(await h.infra.cache.increment("n", 2_000)).toBe(31);
      await h.elapse(1_000);
      expect(await h.infra.cache.increment("n", 2_000)).toBe(1);
      await h.infra.cache.sadd("a-set", "x");
      await expect(h.infra.cache.increment("a-set", 300)).rejects.toThrow(/WRONGTYPE/);
    });

    it("adds amounts in the same window: concurrent amounts all count, the first one starts the TTL", async () => {
      const totals = await Promise.all(
        [250, 1_000, 4_750].map((by, i) => (i % 2 ? h.infra : h.peer).cache.increment("ms", 2_000, by)),
      );
      expect(Math.max(...totals)).toBe(6_000);
      await h.elapse(1_200);
      expect(await h.peer.cache.increment("ms", 2_000, 500)).toBe(6_500);
      await h.elapse(1_000);
      expect(await h.infra.cache.increment("ms", 2_000, 7)).toBe(7);
      await expect(h.infra.cache.increment("ms", 2_000, 1.5)).rejects.toThrow(RangeError);
      await expect(h.infra.cache.increment("ms", 2_000, 0)).rejects.toThrow(RangeError);
      expect(await h.infra.cache.get("ms")).toBe("7");
    });

    it("forgets a value after its TTL and keeps one set without a TTL", async () => {
      await h.infra.cache.set("short", "v", 150);
      await h.infra.cache.set("forever", "v");
      await h.elapse(50);
      expect(await h.infra.cache.get("short")).toBe("v");
      await h.elapse(200);
      expect(await h.infra.cache.get("short")).toBeNull();
      expect(await h.infra.cache.get("forever")).toBe("v");
    });

    it("round-trips JSON through a schema and reads malformed or off-schema JSON as a miss", async () => {
      await h.infra.cache.setJson("settings", { riskPerTrade: 0.01, paused: false });
      expect(await h.peer.cache.getJson("settings", Settings)).toEqual({ riskPerTrade: 0.01, paused: false });

      await h.infra.cache.set("settings", "{not json");
      expect(await h.infra.cache.getJson("settings", Settings)).toBeNull();
      await h.infra.cache.set("settings", JSON.stringify({ riskPerTrade: "lots" }));
      expect(await h.infra.cache.getJson("settings", Settings)).toBeNull();
      await expect(h.infra.cache.setJson("settings", undefined)).rejects.toThrow(TypeError);
    });

    it("adds, removes and lists set members, deleting a set once it is empty", async () => {
      expect(await h.infra.cache.sadd("candles", "BTC/USDT:5m", "ETH/USDT:1h")).toBe(2);
      expect(await h.peer.cache.sadd("candles", "BTC/USDT:5m", "SOL/USDT:1m")).toBe(1);
      expect((await h.infra.cache.smembers("candles")).sort()).toEqual([
        "BTC/USDT:5m",
        "ETH/USDT:1h",
        "SOL/USDT:1m",
      ]);
      expect(await h.infra.cache.srem("candles", "ETH/USDT:1h", "absent")).toBe(1);
      expect(await h.infra.cache.srem("candles", "BTC/USDT:5m", "SOL/USDT:1m")).toBe(2);
      expect(await h.infra.cache.smembers("candles")).toEqual([]);
      expect(await h.infra.cache.del("candles")).toBe(0);
      expect(await h.infra.cache.smembers("never")).toEqual([]);
    });

    it("refuses to read a set as a string and to add to a string", async () => {
      await h.infra.cache.sadd("a-set", "x");
      await h.infra.cache.set("a-string", "x");
      await expect(h.infra.cache.get("a-set")).rejects.toThrow(/WRONGTYPE/);
      await expect(h.infra.cache.sadd("a-string", "y")).rejects.toThrow(/WRONGTYPE/);
    });

    it("replaces a set atomically: concurrent readers see the old set or the new one, never a mix or a gap", async () => {
      const evens = Array.from({ length: 50 }, (_, i) => `m${i * 2}`).sort();
      const odds = Array.from({ length: 50 }, (_, i) => `m${i * 2 + 1}`).sort();
      await h.infra.cache.replaceSet("registry", evens);

      const seen: string[][] = [];
      let writing = true;
      const reader = (async () => {
        while (writing) seen.push((await h.peer.cache.smembers("registry")).sort());
      })();
      for (let round = 0; round < 100; round++)
        await h.infra.cache.replaceSet("registry", round % 2 ? evens : odds);
      writing = false;
      await reader;

      expect(seen.length).toBeGreaterThan(10);
      for (const members of seen) expect([evens, odds]).toContainEqual(members);
      expect((await h.infra.cache.smembers("registry")).sort()).toEqual(evens);

      await h.infra.cache.replaceSet("registry", []);
      expect(await h.infra.cache.smembers("registry")).toEqual([]);
    });
  });

  describe("cacheAside and writeThrough", () => {
    const Settings = z.object({ riskPerTrade: z.number() });

    it("loads from the store once, serves from the cache, and reloads after a delete or the TTL", async () => {
      let loads = 0;
      const load = async () => ({ riskPerTrade: ++loads / 100 });
      expect(await cacheAside(h.infra.cache, "s:1", Settings, 200, load)).toEqual({ riskPerTrade: 0.01 });
      expect(await cacheAside(h.peer.cache, "s:1", Settings, 200, load)).toEqual({ riskPerTrade: 0.01 });
      expect(loads).toBe(1);

      await h.infra.cache.del("s:1");
      expect(await cacheAside(h.infra.cache, "s:1", Settings, 200, load)).toEqual({ riskPerTrade: 0.02 });
      await h.elapse(300);
      expect(await cacheAside(h.infra.cache, "s:1", Settings, 200, load)).toEqual({ riskPerTrade: 0.03 });
      expect(loads).toBe(3);
    });

    it("replaces a malformed cached value with the store's", async () => {
      await h.infra.cache.set("s:2", "garbage");
      expect(
        await cacheAside(h.infra.cache, "s:2", Settings, 5000, async () => ({ riskPerTrade: 0.5 })),
      ).toEqual({
        riskPerTrade: 0.5,
      });
      expect(await h.infra.cache.getJson("s:2", Settings)).toEqual({ riskPerTrade: 0.5 });
    });

    it("writes the store first and then the cache, and leaves the cache alone when the store write fails", async () => {
      await h.infra.cache.setJson("s:3", { riskPerTrade: 0.01 });
      const written = await writeThrough(h.infra.cache, "s:3", 5000, async () => ({ riskPerTrade: 0.02 }));
      expect(written).toEqual({ riskPerTrade: 0.02 });
      expect(await h.peer.cache.getJson("s:3", Settings)).toEqual({ riskPerTrade: 0.02 });

      await expect(
        writeThrough(h.infra.cache, "s:3", 5000, async () => {
          throw new Error("constraint violated");
        }),
      ).rejects.toThrow("constraint violated");
      expect(await h.infra.cache.getJson("s:3", Settings)).toEqual({ riskPerTrade: 0.02 });
    });

    it("deletes the key when the cache write fails, so readers go back to the store", async () => {
      await h.infra.cache.setJson("s:4", { riskPerTrade: 0.01 });
      const errors: string[] = [];
      // A BigInt from a driver cannot be serialised: the cache write fails after the store write succeeded.
      const stored = await writeThrough(h.infra.cache, "s:4", 5000, async () => ({ riskPerTrade: 10n }), {
        onCacheError: (_error, { operation }) => errors.push(operation),
      });
      expect(stored).toEqual({ riskPerTrade: 10n });
      expect(errors).toEqual(["set"]);
      expect(await h.infra.cache.get("s:4")).toBeNull();
    });
  });

  describe("bus", () => {
    it("delivers to every subscriber of a channel and to no other channel", async () => {
      const onA1: unknown[] = [];
      const onA2: unknown[] = [];
      const onB: unknown[] = [];
      await h.infra.bus.subscribe("a", (m) => onA1.push(m));
      await h.peer.bus.subscribe("a", (m) => onA2.push(m));
      await h.peer.bus.subscribe("b", (m) => onB.push(m));

      await h.infra.bus.publish("a", { n: 1 });
      await h.infra.bus.publish("b", { marker: true });
      await waitFor(() => onA1.length === 1 && onA2.length === 1 && onB.length === 1, "deliveries");
      expect(onA1).toEqual([{ n: 1 }]);
      expect(onA2).toEqual([{ n: 1 }]);
      expect(onB).toEqual([{ marker: true }]);
    });

    it("stops delivering to a handler once it unsubscribes", async () => {
      const gone: unknown[] = [];
      const stays: unknown[] = [];
      const unsubscribe = await h.infra.bus.subscribe("c", (m) => gone.push(m));
      await h.infra.bus.subscribe("c", (m) => stays.push(m));
      await h.peer.bus.publish("c", 1);
      await waitFor(() => gone.length === 1 && stays.length === 1, "first delivery");

      await unsubscribe();
      await unsubscribe();
      await h.peer.bus.publish("c", 2);
      await waitFor(() => stays.length === 2, "second delivery");
      expect(gone).toEqual([1]);
      expect(stays).toEqual([1, 2]);
    });

    it("hands every handler its own copy, untouched by later mutations of the published object", async () => {
      const received: Array<{ list: number[] }> = [];
      const handler = (m: unknown) => {
        const message = m as { list: number[] };
        received.push(message);
        message.list.push(99);
      };
      await h.infra.bus.subscribe("d", handler);
      await h.infra.bus.subscribe("d", handler);
      const message = { list: [1] };
      await h.infra.bus.publish("d", message);
      message.list.push(2);
      await waitFor(() => received.length === 2, "deliveries");
      expect(received[0]).not.toBe(received[1]);
      expect(received).toEqual([{ list: [1, 99] }, { list: [1, 99] }]);
      expect(message).toEqual({ list: [1, 2] });
    });

    it("preserves the order of one publisher's messages", async () => {
      const received: unknown[] = [];
      await h.peer.bus.subscribe("e", (m) => received.push(m));
      await Promise.all(Array.from({ length: 200 }, (_, i) => h.infra.bus.publish("e", i)));
      await waitFor(() => received.length === 200, "200 messages");
      expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
    });

    it("keeps delivering to other handlers when one throws, and logs the failure", async () => {
      const received: unknown[] = [];
      await h.infra.bus.subscribe("f", () => {
        throw new Error("handler bug");
      });
      await h.infra.bus.subscribe("f", (m) => received.push(m));
      await h.infra.bus.publish("f", "x");
      await waitFor(() => received.length === 1, "delivery");
      expect(h.logs.filter((l) => l.level === "error").map((l) => l.message)).toEqual([
        "bus: a message handler threw",
      ]);
    });
  });
});

describe("infra on Redis only", () => {
  let admin: Redis;
  let keyPrefix: string;
  let logs: LogLine[];
  let infra: Infra;
  beforeEach(async () => {
    admin = connectAdmin();
    keyPrefix = randomPrefix();
    logs = [];
    infra = await createInfra({ redisUrl: REDIS_URL, keyPrefix, logger: recordingLogger(logs) });
  });
  afterEach(async () => {
    await infra.close();
    await deleteKeysByPrefix(admin, keyPrefix);
    await admin.quit();
  });

  it("seats: the key lapses with its last place, and a renewal takes back places whose key was deleted", async () => {
    const place = { key: "streams:u9", holder: "s1" };
    expect(await infra.seats.take(place, 2, 5_000)).toBe(true);
    const pttl = await admin.pttl(`${keyPrefix}streams:u9`);
    expect(pttl).toBeGreaterThan(4_000);
    expect(pttl).toBeLessThanOrEqual(5_000);
    await admin.del(`${keyPrefix}streams:u9`);
    expect(await infra.seats.count("streams:u9")).toBe(0);
    await infra.seats.renew([place], 5_000);
    expect(await infra.seats.count("streams:u9")).toBe(1);
  });

  async function subscriberIds(): Promise<string[]> {
    const list = (await admin.client("LIST")) as string;
    return list
      .split("\n")
      .filter((line) => line.includes(` name=${keyPrefix}bus `))
      .map((line) => /\bid=(\d+)/.exec(line)![1]);
  }

  it("resubscribes after its subscriber connection is killed and delivers again", async () => {
    const received: unknown[] = [];
    await infra.bus.subscribe("events", (m) => received.push(m));
    const [before] = await subscriberIds();
    expect(before).toBeDefined();

    expect(await admin.client("KILL", "ID", before)).toBe(1);
    let sent = 0;
    // Pub/sub is at-most-once: messages sent while it reconnects are lost (the SSE outbox replay covers that).
    await waitFor(
      () => {
        if (received.length === 0) void infra.bus.publish("events", ++sent);
        return received.length > 0;
      },
      "delivery after reconnect",
      10_000,
    );
    const after = await subscriberIds();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it("acquires a lock whose reply a killed connection lost: ioredis resends it, and the resend finds our own token", async () => {
    // A proxy in front of Redis that, once armed, cuts the client off instead of passing on Redis's next reply.
    let dropNextReply = false;
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      const upstream = createConnection({
        port: Number(new URL(REDIS_URL).port || 6379),
        host: new URL(REDIS_URL).hostname,
      });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => sockets.delete(s));
      }
      client.pipe(upstream);
      upstream.on("data", (reply) => {
        if (!dropNextReply) return void client.write(reply);
        dropNextReply = false;
        client.destroy();
        upstream.destroy();
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    const viaProxy = await createInfra({
      redisUrl: `redis://127.0.0.1:${port}`,
      keyPrefix,
      logger: recordingLogger([]),
    });
    try {
      // Once normally, so Redis knows the script and the acquire below is one EVALSHA.
      await (await viaProxy.lock.acquire("warm-up", 60_000))!.release();
      dropNextReply = true;
      const handle = await viaProxy.lock.acquire("execution:lost-reply", 60_000);
      expect(dropNextReply).toBe(false);
      expect(handle).not.toBeNull();
      expect(await infra.lock.acquire("execution:lost-reply", 60_000)).toBeNull();
      expect(await handle!.release()).toBe(true);
    } finally {
      await viaProxy.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("lets a lock be re-acquired once every key under the prefix is deleted", async () => {
    const handle = await infra.lock.acquire("execution:s1:BTC/USDT:5m:1700000000000", 60_000);
    expect(await infra.lock.acquire("execution:s1:BTC/USDT:5m:1700000000000", 60_000)).toBeNull();
    expect(await deleteKeysByPrefix(admin, keyPrefix)).toBe(1);
    const again = await infra.lock.acquire("execution:s1:BTC/USDT:5m:1700000000000", 60_000);
    expect(again).not.toBeNull();
    expect(await handle!.release()).toBe(false);
    expect(await again!.release()).toBe(true);
  });

  it("keeps keys and channels of different prefixes apart", async () => {
    const otherPrefix = randomPrefix();
    const other = await createInfra({
      redisUrl: REDIS_URL,
      keyPrefix: otherPrefix,
      logger: recordingLogger(logs),
    });
    try {
      const ours: unknown[] = [];
      const theirs: unknown[] = [];
      await infra.bus.subscribe("shared", (m) => ours.push(m));
      await other.bus.subscribe("shared", (m) => theirs.push(m));
      await infra.cache.set("shared", "ours");
      expect(await other.cache.get("shared")).toBeNull();
      expect(await other.lock.acquire("shared", 5000)).not.toBeNull();

      await other.bus.publish("shared", "theirs");
      await infra.bus.publish("shared", "ours");
      await waitFor(() => ours.length === 1 && theirs.length === 1, "deliveries");
      expect(ours).toEqual(["ours"]);
      expect(theirs).toEqual(["theirs"]);
      expect(await admin.get(`${keyPrefix}shared`)).toBe("ours");
    } finally {
      await other.close();
      await deleteKeysByPrefix(admin, otherPrefix);
    }
  });

  it("unsubscribes the connection from a channel once its last handler leaves", async () => {
    const numsub = async () => ((await admin.pubsub("NUMSUB", `${keyPrefix}g`)) as [string, number])[1];
    const first = await infra.bus.subscribe("g", () => {});
    const second = await infra.bus.subscribe("g", () => {});
    expect(await numsub()).toBe(1);
    await first();
    expect(await numsub()).toBe(1);
    await second();
    expect(await numsub()).toBe(0);
  });

  it("answers cacheAside from the store when the cache is unreachable, and says why", async () => {
    const errors: string[] = [];
    await infra.close();
    const value = await cacheAside(infra.cache, "s", z.number(), 5000, async () => 7, {
      onCacheError: (_error, { operation }) => errors.push(operation),
    });
    expect(value).toBe(7);
    expect(errors).toEqual(["get", "set"]);
    expect(await infra.health()).toMatchObject({ ok: false });
  });

  it("reports health and kind", async () => {
    expect(infra.kind).toBe("redis");
    const health = await infra.health();
    expect(health.ok).toBe(true);
    expect(health.detail).toMatch(/^redis ping/);
  });

  it("refuses to start on an unreachable Redis with a typed error", async () => {
    await expect(
      createInfra({ redisUrl: "redis://127.0.0.1:1", keyPrefix, logger: recordingLogger(logs) }),
    ).rejects.toBeInstanceOf(RedisUnavailableError);
  });
});

describe("infra in-process only", () => {
  it("is chosen when no Redis URL is given and is always healthy", async () => {
    const infra = await createInfra({ logger: recordingLogger([]) });
    expect(infra.kind).toBe("memory");
    expect(await infra.health()).toEqual({ ok: true, detail: "in-process lock, cache and bus" });
    await infra.close();
    await expect(infra.bus.publish("a", 1)).rejects.toThrow("bus is closed");
  });
});
