// Sign-up by emailed code through the real route actions, the mail sent over a real socket to a real SMTP server:
// the same answer for a new and a taken email, the code creates the account once, wrong/expired codes, resends.
import { eq } from "drizzle-orm";
import { cookieFrom, createTestApp, makeRequest, respond, type TestApp } from "../../test/app-context";
import { codeIn, startSmtpSink, type SmtpSink } from "../../test/support/smtp-sink";
import { hashPassword, verifyPassword } from "../../db/platform/password";
import { brokerAccounts, pendingSignUps, users } from "../../db/store/schema";
import { createUser } from "../../db/store/queries/users";
import { MAX_SIGNUPS_PER_CLIENT } from "../login-throttle.server";
import { MAX_CODE_ATTEMPTS, MAX_CODES_PER_SIGN_UP } from "../services/sign-up.server";
import * as root from "../root";
import * as signup from "./signup";
import * as verify from "./signup_.verify";

const FROM = "Candlecast Test <codes@candlecast.test>";
let sink: SmtpSink;
let t: TestApp;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ mail: { transport: "smtp", url: sink.url, from: FROM } });
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

let counter = 0;
const uniqueEmail = (name: string) => `${name}-${Date.now()}-${counter++}@example.test`;
const PASSWORD = "correct horse battery";

const call = (route: { action: (a: never) => unknown }, request: Request) =>
  respond(() => route.action({ request, context: t.context, params: {} } as never));

/** Each from its own client address unless told, so the per-address cap is tested where it is meant to be. */
function requestSignUp(
  form: Record<string, string>,
  headers: Record<string, string> = { "X-Forwarded-For": `192.0.2.${(counter++ % 250) + 1}` },
) {
  return call(
    signup,
    makeRequest("/signup", { form: { name: "Ada", password: PASSWORD, ...form }, headers }),
  );
}

/** Posts the code step as the browser holding `cookie` (the __signup cookie the sign-up answer set). */
function postCode(cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return call(verify, makeRequest("/signup/verify", { form, cookie, headers }));
}

/** Signs up a new email and returns the browser's cookie and the code the mail brought. */
async function signUpFor(email: string, form: Record<string, string> = {}) {
  const before = sink.mailsTo(email).length;
  const res = await requestSignUp({ email, ...form });
  expect(res.status).toBe(200);
  const mail = await sink.waitFor(email, { after: before });
  return { cookie: cookieFrom(res), code: codeIn(mail), mail };
}

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("asking to sign up", () => {
  it("answers a new email with 'check your email' and mails it a code over SMTP", async () => {
    const email = uniqueEmail("new");
    const res = await requestSignUp({ email: email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sentTo: email });
    const setCookie = res.headers.get("Set-Cookie")!;
    expect(setCookie).toMatch(/^__signup=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Path=\/signup/);
    const mail = await sink.waitFor(email);
    expect(mail.to).toEqual([email]);
    expect(mail.raw).toMatch(/^From: Candlecast Test <codes@candlecast\.test>/m);
    const code = codeIn(mail);
    expect(mail.subject).toBe(`${code} is your Candlecast sign-up code`);
    expect(mail.text).toContain("within 15 minutes");
    // Nothing is created until the code comes back, and the store holds no code, only its keyed hash.
    expect(await t.store.db.$count(users, eq(users.email, email))).toBe(0);
    const row = await t.store.db.query.pendingSignUps.findFirst({ where: eq(pendingSignUps.email, email) });
    expect(row?.codeHash).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain(code);
    expect(row?.passwordHash).toMatch(/^pbkdf2\$210000\$/);
  });

  it("answers a taken email exactly alike, mails its owner a notice and changes nothing", async () => {
    const taken = uniqueEmail("taken");
    await createUser(
      t.store.db,
      { email: taken, name: "Owner", password: "" },
      { passwordHash: await hashPassword("the owner's password", 1000) },
    );
    const usersBefore = await t.store.db.select().from(users).where(eq(users.email, taken));
    const fresh = uniqueEmail("fresh");

    const timings: Record<string, number[]> = { new: [], taken: [] };
    const answer = async (kind: "new" | "taken", email: string) => {
      const started = performance.now();
      const res = await requestSignUp({ email, password: "another long passphrase" });
      timings[kind].push(performance.now() - started);
      const body = JSON.stringify(await res.json()).replace(email, "EMAIL");
      const cookie = res.headers.get("Set-Cookie")!.replace(/^__signup=[^;]+/, "__signup=VALUE");
      return { status: res.status, body, cookie, headers: [...res.headers.keys()].sort() };
    };
    // Interleaved, so a loaded machine slows both alike.
    const answers = { new: [] as unknown[], taken: [] as unknown[] };
    for (let i = 0; i < 3; i++) {
      answers.new.push(await answer("new", i === 0 ? fresh : uniqueEmail("fresh")));
      answers.taken.push(await answer("taken", taken));
    }
    expect(answers.taken).toEqual(answers.new);
    expect(answers.new[0]).toMatchObject({ status: 200, body: '{"sentTo":"EMAIL"}' });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    console.info(
      `[signup] answer time median of 3: new email ${median(timings.new).toFixed(0)} ms, taken email ${median(timings.taken).toFixed(0)} ms`,
    );

    const notice = await sink.waitFor(taken);
    expect(notice.subject).toBe("Someone tried to sign up with your address");
    expect(notice.text).toContain("already has an account");
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    expect(notice.text).not.toMatch(/https?:/);
    await sink.waitFor(taken, { after: 2 });
    expect(await t.store.db.select().from(users).where(eq(users.email, taken))).toEqual(usersBefore);
    const [owner] = usersBefore;
    expect(await verifyPassword("the owner's password", owner.passwordHash)).toBe(true);
  });

  it("names the invalid fields with status 400, stores nothing and sends nothing", async () => {
    const mailsBefore = sink.mails.length;
    const pendingBefore = await t.store.db.$count(pendingSignUps);
    const res = await call(
      signup,
      makeRequest("/signup", { form: { email: "not-an-email", name: "", password: "short" } }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual({
      email: "Email must be a valid email address",
      name: "Name is required",
      password: "Password must be at least 8 characters",
    });
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(await t.store.db.$count(pendingSignUps)).toBe(pendingBefore);
    expect(sink.mails.length).toBe(mailsBefore);
  });

  it.each([
    ["a common password", "password1", "it is a commonly used password"],
    ["a keyboard row", "qwertyuiop", "one of the most common passwords"],
    ["the user's own name", "grace hopper", "it contains your email or name"],
  ])("refuses %s on the password field, saying why, and stores nothing", async (_name, password, reason) => {
    const pendingBefore = await t.store.db.$count(pendingSignUps);
    const res = await requestSignUp({ email: "grace@example.test", name: "Grace Hopper", password });
    expect(res.status).toBe(400);
    const { errors } = await res.json();
    expect(Object.keys(errors)).toEqual(["password"]);
    expect(errors.password).toContain(reason);
    expect(await t.store.db.$count(pendingSignUps)).toBe(pendingBefore);
  });

  it("caps sign-ups per client address; another address goes on", async () => {
    const from = { "X-Forwarded-For": "203.0.113.9" };
    const answers = [];
    for (let i = 0; i <= MAX_SIGNUPS_PER_CLIENT; i++)
      answers.push((await requestSignUp({ email: uniqueEmail("probe") }, from)).status);
    expect(answers.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(answers.at(-1)).toBe(429);
    const other = await requestSignUp({ email: uniqueEmail("probe") }, { "X-Forwarded-For": "203.0.113.10" });
    expect(other.status).toBe(200);
  });
});

describe("entering the code", () => {
  it("creates the user with a paper account, signs in and goes to redirectTo, clearing the sign-up", async () => {
    const email = uniqueEmail("verified");
    const { cookie, code } = await signUpFor(email);
    const res = await postCode(cookie, {
      code: `${code.slice(0, 3)} ${code.slice(3)}`,
      redirectTo: "/strategies/x/subscribe",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/strategies/x/subscribe");
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("__session="))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).not.toMatch(/Secure/i);
    expect(cookies.find((c) => c.startsWith("__signup="))).toMatch(/Max-Age=0/);
    const user = await t.store.db.query.users.findFirst({ where: eq(users.email, email) });
    expect(user?.name).toBe("Ada");
    expect(await verifyPassword(PASSWORD, user!.passwordHash)).toBe(true);
    const accounts = await t.store.db
      .select()
      .from(brokerAccounts)
      .where(eq(brokerAccounts.userId, user!.id));
    expect(accounts.map((a) => a.kind)).toEqual(["paper"]);
    expect(await t.store.db.$count(pendingSignUps, eq(pendingSignUps.email, email))).toBe(0);
    const me = await respond(() =>
      root.loader({
        request: makeRequest("/", { cookie: session.split(";")[0] }),
        context: t.context,
        params: {},
      }),
    );
    expect(await me.json()).toEqual({ user: { email, name: "Ada" } });
  });

  it("works once: of two concurrent right answers one signs in, and the code is spent after", async () => {
    const email = uniqueEmail("once");
    const { cookie, code } = await signUpFor(email);
    const both = await Promise.all([postCode(cookie, { code }), postCode(cookie, { code })]);
    expect(both.map((r) => r.status).sort()).toEqual([302, 400]);
    const again = await postCode(cookie, { code });
    expect(again.status).toBe(400);
    expect((await again.json()).errors._form).toMatch(/no longer waiting for a code/);
    expect(await t.store.db.$count(users, eq(users.email, email))).toBe(1);
  });

  it("a wrong code is a field error with the tries left; past the limit even the right one is refused", async () => {
    const email = uniqueEmail("wrong");
    const { cookie, code } = await signUpFor(email);
    const first = await postCode(cookie, { code: wrongCode(code) });
    expect(first.status).toBe(400);
    expect((await first.json()).errors).toEqual({
      code: `That code is not right: ${MAX_CODE_ATTEMPTS - 1} tries left.`,
    });
    for (let i = 1; i < MAX_CODE_ATTEMPTS; i++) await postCode(cookie, { code: wrongCode(code) });
    const right = await postCode(cookie, { code });
    expect(right.status).toBe(400);
    expect((await right.json()).errors).toEqual({ code: "Too many wrong codes. Send a new one." });
    expect(await t.store.db.$count(users, eq(users.email, email))).toBe(0);
  });

  it("refuses something that is not 6 digits before counting a try", async () => {
    const { cookie } = await signUpFor(uniqueEmail("shape"));
    for (const code of ["", "12345", "1234567", "abcdef"]) {
      const res = await postCode(cookie, { code });
      expect(res.status).toBe(400);
      expect((await res.json()).errors).toEqual({ code: "Enter the 6 digits of the code from the email." });
    }
  });

  it("an expired code is a field error; a new code works", async () => {
    const email = uniqueEmail("expired");
    const { cookie, code } = await signUpFor(email);
    await t.store.db
      .update(pendingSignUps)
      .set({ expiresAt: Date.now() - 1, sentAt: Date.now() - 16 * 60_000 })
      .where(eq(pendingSignUps.email, email));
    const res = await postCode(cookie, { code });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual({ code: "This code has expired. Send a new one." });
    const resent = await postCode(cookie, { intent: "resend" });
    expect(resent.status).toBe(200);
    expect((await resent.json()).notice).toBe(
      `We sent a new code to ${email}. The earlier one no longer works.`,
    );
    const fresh = codeIn(await sink.waitFor(email, { after: 1 }));
    expect((await postCode(cookie, { code })).status).toBe(400);
    expect((await postCode(cookie, { code: fresh })).status).toBe(302);
  });

  it("resends at most once a minute (429 with Retry-After) and at most 5 codes per sign-up", async () => {
    const email = uniqueEmail("resend");
    const { cookie } = await signUpFor(email);
    const tooSoon = await postCode(cookie, { intent: "resend" });
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers.get("Retry-After"))).toBeGreaterThan(50);
    expect((await tooSoon.json()).errors._form).toMatch(
      /^A code was sent less than a minute ago\. Wait \d+ s/,
    );
    expect(sink.mailsTo(email)).toHaveLength(1);
    for (let sent = 1; sent < MAX_CODES_PER_SIGN_UP; sent++) {
      await t.store.db
        .update(pendingSignUps)
        .set({ sentAt: Date.now() - 61_000 })
        .where(eq(pendingSignUps.email, email));
      expect((await postCode(cookie, { intent: "resend" })).status).toBe(200);
    }
    await sink.waitFor(email, { after: MAX_CODES_PER_SIGN_UP - 1 });
    await t.store.db
      .update(pendingSignUps)
      .set({ sentAt: Date.now() - 61_000 })
      .where(eq(pendingSignUps.email, email));
    const last = await postCode(cookie, { intent: "resend" });
    expect(last.status).toBe(400);
    expect((await last.json()).errors._form).toBe(
      "That was the last of 5 codes for this sign-up. Sign up again to start over.",
    );
  });

  it("keeps one live code per email: a newer sign-up's code works, the older browser's does not", async () => {
    const email = uniqueEmail("twice");
    const older = await signUpFor(email, { name: "First" });
    const newer = await signUpFor(email, { name: "Second" });
    expect(await t.store.db.$count(pendingSignUps, eq(pendingSignUps.email, email))).toBe(1);
    const stale = await postCode(older.cookie, { code: older.code });
    expect(stale.status).toBe(400);
    expect((await stale.json()).errors._form).toMatch(/replaced by a newer one/);
    expect((await postCode(newer.cookie, { code: newer.code })).status).toBe(302);
    expect((await t.store.db.query.users.findFirst({ where: eq(users.email, email) }))?.name).toBe("Second");
  });

  it("answers a taken email's sign-up like a new one's at the code step too: never right, same words", async () => {
    const taken = uniqueEmail("taken-code");
    await createUser(t.store.db, { email: taken, name: "T", password: "" }, { passwordHash: "x" });
    const fresh = await signUpFor(uniqueEmail("fresh-code"));
    const probe = await requestSignUp({ email: taken });
    const probeCookie = cookieFrom(probe);
    for (const code of ["000000", "123456"]) {
      const onTaken = await postCode(probeCookie, { code });
      const onFresh = await postCode(fresh.cookie, { code: code === fresh.code ? wrongCode(code) : code });
      expect(onTaken.status).toBe(onFresh.status);
      expect(await onTaken.json()).toEqual(await onFresh.json());
    }
    const tooSoon = [
      await postCode(probeCookie, { intent: "resend" }),
      await postCode(fresh.cookie, { intent: "resend" }),
    ];
    expect(tooSoon.map((r) => r.status)).toEqual([429, 429]);
    expect(await t.store.db.$count(users, eq(users.email, taken))).toBe(1);
  });

  it("never redirects to another site, and sets Secure cookies over https", async () => {
    const { cookie, code } = await signUpFor(uniqueEmail("redirect"));
    const res = await postCode(
      cookie,
      { code, redirectTo: "//evil.test/x" },
      { "X-Forwarded-Proto": "https" },
    );
    expect(res.headers.get("Location")).toBe("/");
    for (const set of res.headers.getSetCookie()) expect(set).toMatch(/Secure/);
  });

  it("without the sign-up cookie: the page sends the visitor to /signup, a post says to sign up again", async () => {
    const page = await respond(() =>
      verify.loader({
        request: makeRequest("/signup/verify?redirectTo=%2Fx"),
        context: t.context,
        params: {},
      }),
    );
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/signup?redirectTo=%2Fx");
    const post = await call(verify, makeRequest("/signup/verify", { form: { code: "123456" } }));
    expect(post.status).toBe(400);
    expect((await post.json()).errors._form).toBe(
      "This browser has no sign-up waiting for a code. Sign up again.",
    );
    const forged = await postCode("__signup=eyJpZCI6IngiLCJlbWFpbCI6InkifQ%3D%3D.forged", { code: "123456" });
    expect(forged.status).toBe(400);
  });
});
