// Malformed HTTP sent raw on a socket to the real entry point (scripts/start.ts): each gets a 4xx and the
// process keeps serving. Every response type carries the security headers.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
