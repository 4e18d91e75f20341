import { rejectCrossSiteWrites } from "./cross-site-guard";

const reached: string[] = [];
const guarded = rejectCrossSiteWrites(async (request) => {
  reached.push(`${request.method} ${new URL(request.url).pathname}`);
  return new Response("ok");
});
const handle = (request: Request) => guarded(request, "nonce");
const req = (method: string, path: string, headers: Record<string, string>) =>
  new Request(`http://candlecast.test${path}`, { method, headers: { host: "candlecast.test", ...headers } });

describe("rejectCrossSiteWrites", () => {
  beforeEach(() => {
    reached.length = 0;
  });

  it("refuses a post from another origin with 403 before it reaches the app", async () => {
    const res = await handle(req("POST", "/login", { origin: "https://evil.example" }));
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/Cross-site request refused/);
    expect(reached).toEqual([]);
  });

  it("answers the API with the JSON error shape", async () => {
    const res = await handle(req("DELETE", "/api/v1/tokens/1", { origin: "null" }));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: "cross_site", message: expect.any(String) } });
  });

  it("lets same-origin posts, forwarded hosts, reads and origin-less clients through", async () => {
    await handle(req("POST", "/login", { origin: "http://candlecast.test" }));
    await handle(req("POST", "/login", { origin: "https://app.example", "x-forwarded-host": "app.example" }));
    await handle(req("GET", "/", { origin: "https://evil.example" }));
    await handle(req("POST", "/api/v1/strategies", {}));
    expect(reached).toEqual(["POST /login", "POST /login", "GET /", "POST /api/v1/strategies"]);
  });
});
