// The per-user cap on event streams across two web replicas (ADR 158): real sqld and Redis, two `npm run web`
// processes. A user's streams count on both; a stream closed on one frees a place on the other; the places of a
// replica killed -9 stop counting once their lease lapses, while a live replica's stay counted past it.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { deleteKeysByPrefix } from "../../db/infra/index.server";
import { openStore, type Store } from "../../db/store/client";
import { migrateStore } from "../../db/store/migrate";
import { STREAM_LEASE_MS } from "../../app/stream-seats.server";
import { insertUser, TEST_PASSWORD } from "../support/store";
import { spawnWebReplica, startSqld, tempDir, type Child, type RunningSqld } from "./sqld";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const REDIS_KEY_PREFIX = `candlecast-streamcap-${randomBytes(4).toString("hex")}:`;
const CAP = 2;

let sqld: RunningSqld;
let store: Store;
let dataDir: ReturnType<typeof tempDir>;
const webs: { child: Child; url: string }[] = [];
let cookie: string;
const open: AbortController[] = [];

beforeAll(async () => {
  sqld = await startSqld();
  store = await openStore({ url: sqld.url });
  await migrateStore(store.db);
  const user = await insertUser(store, "streamer");
  dataDir = tempDir("candlecast-streamcap-");
  const env = {
    DATABASE_URL: sqld.url,
    REDIS_URL,
    REDIS_KEY_PREFIX,
    SESSION_SECRET: "stream-cap-test-session-secret-0123456789abcdef",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    MAX_EVENT_STREAMS_PER_USER: String(CAP),
    DATA_DIR: dataDir.path,
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  };
  for (const name of ["A", "B"]) webs.push(await spawnWebReplica(`web-${name}`, env, 120_000));
  const [{ email }] = await store.db.all<{ email: string }>(
    sql`SELECT email FROM users WHERE id = ${user.id}`,
  );
  const res = await fetch(`${webs[0].url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password: TEST_PASSWORD }),
    headers: { Origin: webs[0].url },
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith("__session="))!
    .split(";")[0];
}, 240_000);

afterAll(async () => {
  for (const c of open) c.abort();
  for (const web of webs) await web.child.stop();
  store?.close();
  await sqld?.stop();
  dataDir?.remove();
  const redis = new Redis(REDIS_URL);
  await deleteKeysByPrefix(redis, REDIS_KEY_PREFIX);
  redis.disconnect();
}, 60_000);

/** Opens /events on a replica: the status, and for a 200 the stream, read until the server says it is connected. */
async function openStream(
  url: string,
): Promise<{ status: number; text: string; controller: AbortController }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/events`, { headers: { Cookie: cookie }, signal: controller.signal });
  if (res.status !== 200) return { status: res.status, text: await res.text(), controller };
  open.push(controller);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes(": connected")) text += (await reader.read()).value ?? "";
  return { status: 200, text, controller };
}

it("counts a user's streams on both replicas, and a stream closed on one frees a place on the other", async () => {
  const [a, b] = webs;
  const first = await openStream(a.url);
  const second = await openStream(b.url);
  expect([first.status, second.status]).toEqual([200, 200]);
  for (const web of [a, b]) {
    const refused = await openStream(web.url);
    expect(refused.status).toBe(429);
    expect(refused.text).toMatch(/at most 2 per account are open at once/);
  }
  second.controller.abort();
  await vi.waitFor(
    async () => {
      const again = await openStream(a.url);
      expect(again.status).toBe(200);
    },
    { timeout: 10_000, interval: 100 },
  );
}, 60_000);

it("stops counting a killed replica's streams once their lease lapses", async () => {
  const [a, b] = webs;
  for (const c of open.splice(0)) c.abort();
  await vi.waitFor(async () => expect((await openStream(a.url)).status).toBe(200), { timeout: 10_000 });
  expect((await openStream(b.url)).status).toBe(200);
  await b.child.kill9();
  // B never freed its place: it still counts...
  expect((await openStream(a.url)).status).toBe(429);
  const killedAt = Date.now();
  // ... until its lease lapses, with nobody left to renew it.
  await vi.waitFor(async () => expect((await openStream(a.url)).status).toBe(200), {
    timeout: STREAM_LEASE_MS * 3,
    interval: 500,
  });
  expect(Date.now() - killedAt).toBeGreaterThan(STREAM_LEASE_MS / 2);
  // A's own stream, open for longer than a lease, still counts: its replica renews it.
  expect((await openStream(a.url)).status).toBe(429);
}, 150_000);
