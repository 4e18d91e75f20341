// A one-second micro-cache of pages served to anonymous visitors (no cookie, no token): the
// marketplace's hot path renders once per second per URL instead of once per request.
type FetchHandler = (request: Request) => Promise<Response>;

interface Entry {
  expires: number;
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

const UNCACHED_PREFIXES = ["/events", "/api/", "/healthz", "/metrics"];

function cacheable(request: Request): boolean {
  if (request.method !== "GET") return false;
  if (request.headers.has("cookie") || request.headers.has("authorization")) return false;
  const { pathname } = new URL(request.url);
  return !UNCACHED_PREFIXES.some((p) => pathname.startsWith(p));
}

function storable(response: Response): boolean {
  const type = response.headers.get("content-type") ?? "";
  const control = response.headers.get("cache-control") ?? "";
  return (
    response.status === 200 &&
    !response.headers.has("set-cookie") &&
    !/no-store|private/.test(control) &&
    (type.startsWith("text/html") || type.startsWith("application/json"))
  );
}

export function cacheAnonymousPages(
  handler: FetchHandler,
  opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): FetchHandler {
  const ttlMs = opts.ttlMs ?? 1000;
  const maxEntries = opts.maxEntries ?? 1000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // Concurrent misses for one URL wait for the same render instead of each rendering it.
  const inflight = new Map<string, Promise<Entry | Response>>();

  const toResponse = (e: Entry, hit: boolean) =>
    new Response(e.body as BodyInit, {
      status: e.status,
      headers: [...e.headers, ["x-page-cache", hit ? "hit" : "miss"]],
    });

  const render = async (request: Request, key: string): Promise<Entry | Response> => {
    const response = await handler(request);
    if (!storable(response)) return response;
    const entry: Entry = {
      expires: now() + ttlMs,
      status: response.status,
      headers: [...response.headers],
      body: new Uint8Array(await response.arrayBuffer()),
    };
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, entry);
    return entry;
  };

  return async (request) => {
    if (!cacheable(request)) return handler(request);
    const key = request.url;
    const cached = entries.get(key);
    if (cached && cached.expires > now()) return toResponse(cached, true);
    let pending = inflight.get(key);
    const leader = !pending;
    if (!pending) {
      pending = render(request, key).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    const result = await pending;
    if (result instanceof Response) return leader ? result : handler(request);
    return toResponse(result, !leader);
  };
}
