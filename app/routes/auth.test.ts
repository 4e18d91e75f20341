// Log in, log out, sessions, log-in rate limiting and the CSRF origin check, through the real routes (sign-up:
// signup.test.ts).
import { createTestApp, makeRequest, respond, signInAs, type TestApp } from "../../test/app-context";
import { hashPassword } from "../../db/platform/password";
import { sessions } from "../../db/store/schema";
import { insertUser } from "../../test/support/store";
import { createUser } from "../../db/store/queries/users";
import { requireUserId } from "../session.server";
import { createLoginThrottle } from "../login-throttle.server";
import * as login from "./login";
import * as logout from "./logout";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const call = (route: { action: (a: never) => unknown }, request: Request) =>
  respond(() => route.action({ request, context: t.context, params: {} } as never));

describe("log in and log out", () => {
  const email = "login@example.test";
  beforeAll(async () => {
    await createUser(
      t.store.db,
      { email, name: "L", password: "" },
      { passwordHash: await hashPassword("right password", 1000) },
    );
  });

  it("logs in with the right password and out again, deleting the session row", async () => {
    const res = await call(
      login,
      makeRequest("/login", {
        form: { email, password: "right password", redirectTo: "/subscriptions/abc" },
      }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/subscriptions/abc");
    const cookie = res.headers.get("Set-Cookie")!.split(";")[0];
    const before = await t.store.db.$count(sessions);
    const out = await call(logout, makeRequest("/logout", { method: "POST", cookie }));
    expect(out.status).toBe(302);
    expect(out.headers.get("Set-Cookie")).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expect(await t.store.db.$count(sessions)).toBe(before - 1);
    // The old cookie no longer signs anyone in.
    const guarded = await respond(() => requireUserId(makeRequest("/subscriptions", { cookie }), t.context));
    expect(guarded.status).toBe(302);
  });

  it("answers a wrong password and an unknown email the same way", async () => {
    const wrong = await call(login, makeRequest("/login", { form: { email, password: "nope" } }));
    const unknown = await call(
      login,
      makeRequest("/login", { form: { email: "nobody@example.test", password: "nope" } }),
    );
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it("rate-limits after 5 failures per email and client with 429, even for the right password", async () => {
    const victim = "limited@example.test";
    await createUser(
      t.store.db,
      { email: victim, name: "V", password: "" },
      { passwordHash: await hashPassword("right password", 1000) },
    );
    const from = { "X-Forwarded-For": "203.0.113.9" };
    for (let i = 0; i < 5; i++) {
      const res = await call(
        login,
        makeRequest("/login", { form: { email: victim, password: `wrong ${i}` }, headers: from }),
      );
      expect(res.status).toBe(400);
    }
    const blocked = await call(
      login,
      makeRequest("/login", { form: { email: victim, password: "right password" }, headers: from }),
    );
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("Retry-After")).toBe("900");
    expect((await blocked.json()).errors._form).toBe(
      "Too many failed log-in attempts. Try again within 15 minutes.",
    );
    // Another client address is not blocked by this one's failures.
    const other = await call(
      login,
      makeRequest("/login", {
        form: { email: victim, password: "right password" },
        headers: { "X-Forwarded-For": "198.51.100.7" },
      }),
    );
    expect(other.status).toBe(302);
  });

  it("counts concurrent guesses atomically: of 30 at once from one address, 5 are checked", async () => {
    const target = "concurrent@example.test";
    await createUser(
      t.store.db,
      { email: target, name: "C", password: "" },
      { passwordHash: await hashPassword("right password", 1000) },
    );
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(
          login,
          makeRequest("/login", {
            form: { email: target, password: `guess ${i}` },
            headers: { "X-Forwarded-For": "203.0.113.50" },
          }),
        ),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(400), ...Array(25).fill(429)]);
  });

  it("a flood of failures on one email from many addresses slows its owner's log-in, never locks it", async () => {
    const owner = "flooded@example.test";
    await createUser(
      t.store.db,
      { email: owner, name: "F", password: "" },
      { passwordHash: await hashPassword("right password", 1000) },
    );
    for (let i = 0; i < 12; i++) {
      const res = await call(
        login,
        makeRequest("/login", {
          form: { email: owner, password: `wrong ${i}` },
          headers: { "X-Forwarded-For": `198.18.0.${i}` },
        }),
      );
      expect(res.status).toBe(400);
    }
    const throttle = createLoginThrottle(t.app.infra.cache);
    expect(await throttle.admit(owner, "192.0.2.1")).toEqual({ allowed: true, delayMs: 500 });
    const mine = await call(
      login,
      makeRequest("/login", {
        form: { email: owner, password: "right password" },
        headers: { "X-Forwarded-For": "192.0.2.1" },
      }),
    );
    expect(mine.status).toBe(302);
  });

  it("sends a signed-in visitor of /login to their subscriptions", async () => {
    const { id } = await insertUser(t.store);
    const cookie = await signInAs(t, id);
    const res = await respond(() =>
      login.loader({ request: makeRequest("/login", { cookie }), context: t.context, params: {} }),
    );
    expect(res.headers.get("Location")).toBe("/subscriptions");
  });
});

describe("guards and CSRF", () => {
  it("requireUserId redirects to /login with the page to come back to", async () => {
    const res = await respond(() => requireUserId(makeRequest("/subscriptions/x?tab=trades"), t.context));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(
      `/login?redirectTo=${encodeURIComponent("/subscriptions/x?tab=trades")}`,
    );
  });

  it("refuses a tampered session cookie", async () => {
    const { id } = await insertUser(t.store);
    const cookie = await signInAs(t, id);
    const tampered = cookie.replace(/.(?=[^.]*$)/, (c) => (c === "A" ? "B" : "A"));
    const res = await respond(() =>
      requireUserId(makeRequest("/subscriptions", { cookie: tampered }), t.context),
    );
    expect(res.status).toBe(302);
  });

  it("refuses a form post from another origin with 403", async () => {
    const res = await call(
      login,
      makeRequest("/login", {
        form: { email: "a@b.test", password: "x" },
        headers: { Origin: "https://evil.test" },
      }),
    );
    expect(res.status).toBe(403);
    const { id } = await insertUser(t.store);
    const cookie = await signInAs(t, id);
    const guarded = await respond(() =>
      requireUserId(
        makeRequest("/settings/brokers", {
          form: { kind: "paper" },
          cookie,
          headers: { Origin: "https://evil.test" },
        }),
        t.context,
      ),
    );
    expect(guarded.status).toBe(403);
  });
});
