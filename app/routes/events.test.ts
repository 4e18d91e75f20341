// The SSE route: 401 when signed out, replay from Last-Event-ID, live events from the bus, no loss or duplicate at the seam.
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { createTestApp, makeRequest, respond, signInAs, type TestApp } from "../../test/app-context";
import { type OutboxEvent } from "../../db/contracts/events";
import { openStore } from "../../db/store/client";
import { events } from "../../db/store/schema";
import { insertUser } from "../../test/support/store";
import { openEventStream } from "../event-stream.server";
import { loader } from "./events";
import { action as logoutAction } from "./logout";

let t: TestApp;
let alice: { id: string; cookie: string };
let bob: { id: string; cookie: string };

beforeAll(async () => {
  t = await createTestApp();
  const a = await insertUser(t.store, "alice");
  const b = await insertUser(t.store, "bob");
  alice = { id: a.id, cookie: await signInAs(t, a.id) };
  bob = { id: b.id, cookie: await signInAs(t, b.id) };
});
afterAll(async () => {
  await t.close();
});

/** Writes outbox rows as the worker does and returns them with their seq. */
async function writeEvents(userId: string | null, n: number, tag: string): Promise<OutboxEvent[]> {
  const rows = await t.store.db
    .insert(events)
    .values(
      Array.from({ length: n }, (_, i) => ({
        userId,
        type: "execution",
        payload: JSON.stringify({ tag, i }),
        createdAt: Date.now(),
      })),
    )
    .returning();
  return rows.map((r) => ({ ...r, type: "execution" as const, payload: JSON.parse(r.payload) }));
}

/** Reads SSE frames from a response body until `until` says stop (or a timeout). */
function reader(response: Response) {
  const body = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    async readUntil(until: (text: string) => boolean, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (!until(text)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out; stream so far:\n${text}`);
        const chunk = await Promise.race([
          body.read(),
          new Promise<null>((r) => setTimeout(() => r(null), left)),
        ]);
        if (chunk === null) continue;
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
      return text;
    },
    /** Everything received until the stream ends or `ms` pass. */
    async drain(ms: number) {
      return this.readUntil(() => false, ms).catch(() => text);
    },
  };
}

const idsIn = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

function openStream(cookie: string | null, opts: { lastEventId?: number; query?: number } = {}) {
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  if (opts.lastEventId !== undefined) headers["Last-Event-ID"] = String(opts.lastEventId);
  const path = opts.query !== undefined ? `/events?lastEventId=${opts.query}` : "/events";
  const request = new Request(makeRequest(path, { cookie, headers }), { signal: controller.signal });
  return { controller, response: respond(() => loader({ request, context: t.context, params: {} })) };
}

describe("GET /events", () => {
  it("answers 401 to a signed-out visitor", async () => {
    const res = await openStream(null).response;
    expect(res.status).toBe(401);
  });

  it("streams with SSE headers, replays the user's events after Last-Event-ID, then live ones, and nobody else's", async () => {
    const before = await writeEvents(alice.id, 3, "before");
    await writeEvents(bob.id, 2, "bob");
    const { controller, response } = openStream(alice.cookie, { lastEventId: before[0].seq });
    const res = await response;
    expect(res.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toContain("no-cache");
    expect(res.headers.get("X-Accel-Buffering")).toBe("no");
    const stream = reader(res);
    let text = await stream.readUntil((s) => idsIn(s).length >= 2);
    expect(idsIn(text)).toEqual([before[1].seq, before[2].seq]);
    expect(text).toContain(
      `event: execution\ndata: {"seq":${before[1].seq},"type":"execution","payload":{"tag":"before","i":1}`,
    );

    const live = await writeEvents(alice.id, 1, "live");
    const other = await writeEvents(bob.id, 1, "bob-live");
    await t.app.infra.bus.publish(CHANNELS.outbox, { events: [...other, ...live] });
    text = await stream.readUntil((s) => idsIn(s).length >= 3);
    expect(idsIn(text)).toEqual([before[1].seq, before[2].seq, live[0].seq]);
    expect(text).not.toContain("bob");
    expect(t.app.events.connectedStreams()).toBe(1);
    controller.abort();
    await stream.drain(50);
    expect(t.app.events.connectedStreams()).toBe(0);
  });

  it("accepts ?lastEventId= for a manual reconnect", async () => {
    const rows = await writeEvents(alice.id, 2, "manual");
    const { controller, response } = openStream(alice.cookie, { query: rows[0].seq });
    const stream = reader(await response);
    const text = await stream.readUntil((s) => idsIn(s).length >= 1);
    expect(idsIn(text)).toEqual([rows[1].seq]);
    controller.abort();
  });

  it("loses nothing and repeats nothing when events are published while the replay runs", async () => {
    const old = await writeEvents(alice.id, 2, "old");
    const racing = await writeEvents(alice.id, 2, "racing");
    // Published before the replay query has run: the hub buffers them, the replay also finds them.
    const { controller, response } = openStream(alice.cookie, { lastEventId: old[0].seq });
    await t.app.infra.bus.publish(CHANNELS.outbox, { events: racing });
    const stream = reader(await response);
    await stream.readUntil((s) => idsIn(s).includes(racing[1].seq));
    expect(idsIn(await stream.drain(100))).toEqual([old[1].seq, racing[0].seq, racing[1].seq]);
    controller.abort();
  });

  it("sends resync when Last-Event-ID is older than what the outbox still keeps", async () => {
    await writeEvents(alice.id, 1, "kept");
    // Events 1..3 are "pruned": the oldest kept seq is above lastEventId + 1.
    const { sql } = await import("drizzle-orm");
    const [{ oldest }] = await t.store.db.all<{ oldest: number }>(sql`select min(seq) as oldest from events`);
    await t.store.db.run(sql`delete from events where seq < ${oldest + 3}`);
    const { controller, response } = openStream(alice.cookie, { lastEventId: oldest });
    const stream = reader(await response);
    const text = await stream.readUntil((s) => s.includes("event: resync"));
    expect(text).toMatch(/id: \d+\nevent: resync\ndata: {"reason":"retention"}/);
    controller.abort();
  });

  it("ends the stream when the replay cannot read the outbox, so the browser retries from the same Last-Event-ID", async () => {
    // Delivered live while this browser was away: the hub is past them, only the replay has them.
    const missed = await writeEvents(alice.id, 2, "missed");
    const seen: number[] = [];
    const watch = t.app.events.connect(alice.id, (e) => seen.push(e.seq));
    await vi.waitFor(() => expect(seen).toContain(missed[1].seq));
    watch();
    // A store that cannot answer (its client is closed): the replay fails, the hub still works.
    const unreachable = await openStore({ url: t.store.url });
    unreachable.close();
    const before = t.app.events.connectedStreams();
    const res = openEventStream({
      db: unreachable.db,
      hub: t.app.events,
      userId: alice.id,
      lastEventId: missed[0].seq - 1,
      signal: new AbortController().signal,
    });
    const later = await writeEvents(alice.id, 1, "later");
    await t.app.infra.bus.publish(CHANNELS.outbox, { events: later });
    // Sending `later` would move the browser's Last-Event-ID past the two it never got.
    const text = await reader(res)
      .readUntil(() => false, 2000)
      .catch((error: Error) => error.message);
    expect(idsIn(text)).toEqual([]);
    expect(text).toContain(": connected");
    expect(text).not.toContain("timed out");
    expect(t.app.events.connectedStreams()).toBe(before);
  });

  it("sends a heartbeat comment and closes cleanly on abort", async () => {
    const before = t.app.events.connectedStreams();
    const controller = new AbortController();
    const res = openEventStream({
      db: t.store.db,
      hub: t.app.events,
      userId: alice.id,
      lastEventId: null,
      signal: controller.signal,
      heartbeatMs: 20,
    });
    const stream = reader(res);
    const text = await stream.readUntil((s) => s.includes(": ping"));
    expect(text.startsWith("retry: 2000\n: connected\n\n")).toBe(true);
    expect(t.app.events.connectedStreams()).toBe(before + 1);
    controller.abort();
    await expect(stream.drain(500)).resolves.toContain(": ping");
    expect(t.app.events.connectedStreams()).toBe(before);
  });

  it("closes every stream of a session when it logs out, and only that session's", async () => {
    const otherSession = await signInAs(t, alice.id);
    const ending = openStream(alice.cookie);
    const staying = openStream(otherSession);
    const endingText = reader(await ending.response);
    const stayingText = reader(await staying.response);
    await endingText.readUntil((s) => s.includes(": connected"));
    await stayingText.readUntil((s) => s.includes(": connected"));
    const res = await respond(() =>
      logoutAction({
        request: makeRequest("/logout", { method: "POST", cookie: alice.cookie }),
        context: t.context,
        params: {},
      } as never),
    );
    expect(res.status).toBe(302);
    // The ended stream is closed: reading it finishes instead of timing out.
    await expect(endingText.readUntil(() => false, 10_000)).resolves.toContain(": connected");
    // The other session's stream still delivers: an event published after the logout reaches it.
    const [after] = await writeEvents(alice.id, 1, "after-logout");
    await t.app.infra.bus.publish(CHANNELS.outbox, { events: [after] });
    await expect(stayingText.readUntil((s) => idsIn(s).includes(after.seq), 10_000)).resolves.toContain(
      "after-logout",
    );
    staying.controller.abort();
  });

  it("refuses a user's stream past the cap with 429 and the reason; other users and freed places are unaffected", async () => {
    const config = t.app.config;
    t.app.config = { ...config, limits: { ...config.limits, eventStreams: 2 } };
    try {
      const carol = await insertUser(t.store, "carol");
      const cookie = await signInAs(t, carol.id);
      const opened = [openStream(cookie), openStream(cookie), openStream(cookie)];
      const answers = await Promise.all(opened.map((o) => o.response));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429]);
      const refused = answers.find((a) => a.status === 429)!;
      expect(await refused.text()).toMatch(/at most 2 per account are open at once/);
      expect(await t.app.streams.count(carol.id)).toBe(2);
      const bobs = openStream(bob.cookie);
      expect((await bobs.response).status).toBe(200);
      bobs.controller.abort();

      opened[answers.findIndex((a) => a.status === 200)].controller.abort();
      await vi.waitFor(async () => expect(await t.app.streams.count(carol.id)).toBe(1));
      const again = openStream(cookie);
      expect((await again.response).status).toBe(200);
      for (const o of [...opened, again]) o.controller.abort();
    } finally {
      t.app.config = config;
    }
  });
});
