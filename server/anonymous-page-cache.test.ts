import { cacheAnonymousPages } from "./anonymous-page-cache";

function counting(respond: (request: Request, n: number) => Response = (_r, n) => html(`page ${n}`)) {
  let renders = 0;
  const handler = async (request: Request, _nonce: string) => {
    renders += 1;
    await new Promise((r) => setTimeout(r, 5));
    return respond(request, renders);
  };
  return { handler, renders: () => renders };
}
const html = (body: string, headers: Record<string, string> = {}) =>
  new Response(body, { headers: { "content-type": "text/html; charset=utf-8", ...headers } });
const withNonce = (handle: (request: Request, nonce: string) => Promise<Response>) => (request: Request) =>
  handle(request, "nonce");
const get = (path: string, headers: Record<string, string> = {}) =>
  new Request(`http://localhost${path}`, { headers });

describe("cacheAnonymousPages", () => {
  it("renders a page once for concurrent anonymous visitors and serves it until the TTL", async () => {
    let t = 0;
    const inner = counting();
    const handle = withNonce(cacheAnonymousPages(inner.handler, { ttlMs: 1000, now: () => t }));
    const bodies = await Promise.all(
      Array.from({ length: 10 }, () => handle(get("/?page=2")).then((r) => r.text())),
    );
    expect(new Set(bodies)).toEqual(new Set(["page 1"]));
    expect(inner.renders()).toBe(1);
    t = 999;
    expect(await (await handle(get("/?page=2"))).text()).toBe("page 1");
    t = 1000;
    expect(await (await handle(get("/?page=2"))).text()).toBe("page 2");
    expect(await (await handle(get("/?page=3"))).text()).toBe("page 3");
  });

  it("never caches for signed-in users, tokens, streams or the API", async () => {
    const inner = counting();
    const handle = withNonce(cacheAnonymousPages(inner.handler));
    for (const req of [
      get("/", { cookie: "__session=abc" }),
      get("/", { cookie: "__session=abc" }),
      get("/", { authorization: "Bearer x" }),
      get("/events"),
      get("/events"),
      get("/api/v1/strategies"),
      new Request("http://localhost/", { method: "POST", body: "x" }),
    ]) {
      await handle(req);
    }
    expect(inner.renders()).toBe(7);
  });

  it("does not store responses that set a cookie, fail, or say no-store", async () => {
    const inner = counting((request, n) => {
      const path = new URL(request.url).pathname;
      if (path === "/cookie") return html(`c${n}`, { "set-cookie": "a=b" });
      if (path === "/private") return html(`p${n}`, { "cache-control": "private, no-store" });
      return new Response("missing", { status: 404, headers: { "content-type": "text/html" } });
    });
    const handle = withNonce(cacheAnonymousPages(inner.handler));
    for (const path of ["/cookie", "/cookie", "/private", "/private", "/gone", "/gone"])
      await handle(get(path));
    expect(inner.renders()).toBe(6);
  });

  it("gives every copy of a cached page its own response's nonce in place of the one it was rendered with", async () => {
    const handle = cacheAnonymousPages(async (_request, nonce) =>
      html(`<script nonce="${nonce}">a</script><p>ü</p><script nonce="${nonce}">b</script>`),
    );
    const first = await (await handle(get("/"), "first+/==")).text();
    const second = await handle(get("/"), "second");
    expect(second.headers.get("x-page-cache")).toBe("hit");
    expect(first).toBe(`<script nonce="first+/==">a</script><p>ü</p><script nonce="first+/==">b</script>`);
    expect(await second.text()).toBe(
      `<script nonce="second">a</script><p>ü</p><script nonce="second">b</script>`,
    );
  });
});
