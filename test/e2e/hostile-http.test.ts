// Malformed HTTP sent raw on a socket to the real entry point (scripts/start.ts): each gets a 4xx and the
// process keeps serving. Every response type carries the security headers. A body over its limit gets a 413
// and leaves the keep-alive connection usable (or closed cleanly when far past the limit).
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../db/store/client";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { insertUser } from "../support/store";
import { startApp, type RunningApp } from "./harness";

let app: RunningApp;
beforeAll(async () => {
  app = await startApp({}, ["--web"]);
}, 90_000);
afterAll(() => app?.stop());

/** Writes `raw` on a fresh connection and resolves with everything the server sent until it closed or went idle. */
function sendRaw(raw: string): Promise<string> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw));
    let received = "";
    socket.setTimeout(3_000, () => socket.end());
    socket.on("data", (chunk) => {
      received += chunk;
      if (/\r\n\r\n/.test(received) && /content-length: 0|\r\n0\r\n\r\n$/i.test(received)) socket.end();
    });
    socket.on("end", () => resolve(received));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

const request = (line: string, host = "localhost") => `${line}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

const vectors: Array<[string, string]> = [
  ["a truncated percent-encoding", request("GET /%E0%A4%A HTTP/1.1")],
  ["a lone % under /build/", request("GET /build/% HTTP/1.1")],
  ["the path //", request("GET // HTTP/1.1")],
  ["a Host with a bad port", request("GET / HTTP/1.1", "localhost:abc")],
  ["a Host with a space", request("GET / HTTP/1.1", "local host")],
  ["TRACE", request("TRACE / HTTP/1.1")],
  ["TRACK", request("TRACK / HTTP/1.1")],
];

describe("hostile requests on the Node entry", () => {
  it.each(vectors)("%s gets an answer and the process keeps serving", async (_name, raw) => {
    const answer = await sendRaw(raw);
    expect(answer).toMatch(/^HTTP\/1\.1 [2-4]\d\d /);
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(app.output()).not.toMatch(/uncaught exception|unhandled rejection/);
  });
});

describe("security headers", () => {
  it.each([
    ["an HTML page", "/"],
    ["an API answer", "/api/v1/me"],
    ["the event stream", "/events"],
    ["a static file", "/favicon.svg"],
    ["a 404", "/no-such-page"],
  ])("%s carries them", async (_name, path) => {
    const response = await fetch(`${app.url}${path}`);
    await response.body?.cancel();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-[^']+'(;|$)/);
    expect(response.headers.get("strict-transport-security")).toBeNull();
  });

  it("adds HSTS only when the proxy says the request came over TLS", async () => {
    const response = await fetch(`${app.url}/`, { headers: { "x-forwarded-proto": "https" } });
    await response.body?.cancel();
    expect(response.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("serves hashed build assets as immutable and other files for an hour", async () => {
    const page = await (await fetch(`${app.url}/`)).text();
    const asset = page.match(/\/build\/[^"]+\.js/)![0];
    const built = await fetch(`${app.url}${asset}`);
    await built.body?.cancel();
    expect(built.headers.get("cache-control")).toContain("immutable");
    const favicon = await fetch(`${app.url}/favicon.svg`);
    await favicon.body?.cancel();
    expect(favicon.headers.get("cache-control")).toBe("public, max-age=3600");
  });
});

describe("oversized bodies on a keep-alive connection", () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());

  /** One request through the keep-alive agent: the status, the headers and whether it reused the socket. */
  function send(method: string, path: string, headers: Record<string, string>, body?: Buffer | Buffer[]) {
    const { hostname, port } = new URL(app.url);
    return new Promise<{ status: number; headers: IncomingHttpHeaders; text: string; reused: boolean }>(
      (resolve, reject) => {
        const req = httpRequest({ agent, hostname, port, method, path, headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode!, headers: res.headers, text, reused: req.reusedSocket }),
          );
        });
        req.on("error", reject);
        for (const chunk of Array.isArray(body) ? body : body ? [body] : []) req.write(chunk);
        req.end();
      },
    );
  }
  const sameSite = () => ({ Origin: app.url, "Content-Type": "application/x-www-form-urlencoded" });
  const formBody = (bytes: number) => Buffer.from(`email=a%40b.c&password=${"x".repeat(bytes)}`);

  it.each([
    ["a declared length", () => ({ "Content-Length": String(formBody(200 * 1024).length) }), false],
    ["a chunked body", () => ({ "Transfer-Encoding": "chunked" }), true],
  ])(
    "a form over its limit sent with %s gets a 413 page, and the connection serves the next request",
    async (_name, framing, chunked) => {
      await send("GET", "/healthz", {}); // opens the one connection
      const body = formBody(200 * 1024);
      const refused = await send(
        "POST",
        "/login",
        { ...sameSite(), ...framing() },
        chunked ? [body.subarray(0, 100_000), body.subarray(100_000)] : body,
      );
      expect(refused.status).toBe(413);
      expect(refused.text).toContain("The form is too large: it must be at most 64 KiB.");
      expect(refused.headers.connection).not.toBe("close");
      const next = await send("GET", "/healthz", {});
      expect(next).toMatchObject({ status: 200, reused: true });
    },
  );

  it("an API body over its limit, chunked, is a 413 and the next POST on the connection succeeds", async () => {
    const store = await openStore({ url: app.databaseUrl });
    const { token } = await createApiToken(store.db, (await insertUser(store, "keepalive")).id, "e2e");
    store.close();
    const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    await send("GET", "/healthz", {});
    const big = Buffer.from(`{"name":"${"n".repeat(600 * 1024)}"}`);
    const refused = await send("POST", "/api/v1/strategies", { ...auth, "Transfer-Encoding": "chunked" }, [
      big.subarray(0, 300 * 1024),
      big.subarray(300 * 1024),
    ]);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.text).error.code).toBe("payload_too_large");
    const next = await send(
      "POST",
      "/api/v1/strategies",
      auth,
      Buffer.from('{"name":"Kept alive","slug":"kept-alive"}'),
    );
    expect(next).toMatchObject({ status: 201, reused: true });
  });

  it("an API body nobody reads (no token) is drained and the connection serves the next request", async () => {
    await send("GET", "/healthz", {});
    const refused = await send(
      "POST",
      "/api/v1/strategies",
      { "Content-Type": "application/json" },
      Buffer.alloc(600 * 1024, 0x20),
    );
    expect(refused.status).toBe(401);
    const next = await send(
      "POST",
      "/api/v1/strategies",
      { "Content-Type": "application/json" },
      Buffer.from("{}"),
    );
    expect(next).toMatchObject({ status: 401, reused: true });
  });

  it("a body far past the limit gets its 413 with Connection: close, and the socket closes without a reset", async () => {
    const { hostname, port } = new URL(app.url);
    const body = formBody(8 * 1024 * 1024);
    const head = [
      "POST /login HTTP/1.1",
      `Host: ${new URL(app.url).host}`,
      `Origin: ${app.url}`,
      "Content-Type: application/x-www-form-urlencoded",
      `Content-Length: ${body.length}`,
    ].join("\r\n");
    const answer = await new Promise<{ received: string; error: Error | null }>((resolve) => {
      let received = "";
      let error: Error | null = null;
      const socket = connect(Number(port), hostname, () => {
        socket.write(`${head}\r\n\r\n`);
        socket.write(body);
      });
      socket.setEncoding("utf8");
      socket.on("data", (chunk) => (received += chunk));
      socket.on("error", (e) => (error = e));
      socket.on("end", () => socket.end());
      socket.on("close", () => resolve({ received, error }));
    });
    expect(answer.error).toBeNull();
    expect(answer.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.received).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer.received).toContain("The form is too large");
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
